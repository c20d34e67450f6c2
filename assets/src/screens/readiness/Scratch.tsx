/**
 * The Python scratch area: a plain text box, Run and Stop, and the output of
 * the last run with standard error set apart from standard output. Output
 * arrives line by line from the worker and is drawn once per frame, so a
 * program that prints in a loop cannot flood the page.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { Fragment, type TargetedKeyboardEvent } from 'preact';
import { t } from '../../i18n';
import type { PythonRunner, RunResult } from '../../python/runner';

interface Line {
  stream: 'stdout' | 'stderr';
  text: string;
}

/** Lines kept per run; a runaway loop is cut off here, not in the browser's memory. */
const MAX_LINES = 2000;

type RunState = { phase: 'idle' } | { phase: 'running' } | { phase: 'done'; result: RunResult } | { phase: 'unavailable' };

function resultText(state: RunState): string {
  switch (state.phase) {
    case 'idle':
      return '';
    case 'running':
      return t.scratch.running;
    case 'unavailable':
      return t.scratch.result.unavailable;
    case 'done': {
      const { status, ms } = state.result;
      if (status === 'ok') return t.scratch.result.ok(ms);
      return status === 'error' ? t.scratch.result.error(ms) : t.scratch.result.interrupted;
    }
  }
}

export function Scratch({ runner }: { runner: PythonRunner }) {
  const [code, setCode] = useState(t.scratch.defaultProgram);
  const [lines, setLines] = useState<readonly Line[]>([]);
  const [truncated, setTruncated] = useState(false);
  const [state, setState] = useState<RunState>({ phase: 'idle' });
  /** Finished runs, exposed for tests that wait for the next one to end. */
  const [runs, setRuns] = useState(0);
  const buffer = useRef<Line[]>([]);
  const frame = useRef(0);

  useEffect(() => () => { cancelAnimationFrame(frame.current); }, []);

  const flush = useCallback(() => {
    frame.current = 0;
    setLines(buffer.current.slice());
  }, []);

  const append = useCallback(
    (stream: Line['stream'], text: string) => {
      if (buffer.current.length >= MAX_LINES) {
        setTruncated(true);
        return;
      }
      buffer.current.push({ stream, text });
      frame.current ||= requestAnimationFrame(flush);
    },
    [flush],
  );

  const running = state.phase === 'running';

  const run = useCallback(async () => {
    if (running) return;
    buffer.current = [];
    setLines([]);
    setTruncated(false);
    setState({ phase: 'running' });
    try {
      const result = await runner.run(code, {
        stdout: (text) => { append('stdout', text); },
        stderr: (text) => { append('stderr', text); },
      });
      setState({ phase: 'done', result });
    } catch {
      setState({ phase: 'unavailable' });
    }
    cancelAnimationFrame(frame.current);
    flush();
    setRuns((n) => n + 1);
  }, [append, code, flush, runner, running]);

  const onKeyDown = (event: TargetedKeyboardEvent<HTMLTextAreaElement>): void => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void run();
    }
  };

  return (
    <section class="panel" aria-labelledby="scratch-heading">
      <h2 id="scratch-heading">{t.scratch.heading}</h2>
      <p>{t.scratch.intro}</p>
      <label class="field-label" for="scratch-program">{t.scratch.editorLabel}</label>
      <p class="hint" id="scratch-hint">{t.scratch.editorHint}</p>
      <textarea
        id="scratch-program"
        class="code-input"
        aria-describedby="scratch-hint"
        rows={9}
        spellcheck={false}
        autocapitalize="off"
        autocorrect="off"
        autocomplete="off"
        value={code}
        onInput={(event) => { setCode(event.currentTarget.value); }}
        onKeyDown={onKeyDown}
        data-testid="program"
      />
      <div class="actions">
        <button type="button" class="button" onClick={() => void run()} disabled={running} data-testid="run">
          {t.scratch.run}
        </button>
        <button type="button" class="button button--secondary" onClick={() => { runner.stop(); }} disabled={!running} data-testid="stop">
          {t.scratch.stop}
        </button>
        <p class="run-status" role="status" data-testid="run-status" data-phase={state.phase} data-runs={runs}>
          {resultText(state)}
        </p>
      </div>
      <h3 class="field-label" id="scratch-output-heading">{t.scratch.outputLabel}</h3>
      <pre class="output" aria-live="polite" aria-labelledby="scratch-output-heading" tabIndex={0} data-testid="output">
        {lines.length === 0 && !running && <span class="output__empty">{t.scratch.outputEmpty}</span>}
        {lines.map((line, index) => (
          <Fragment key={index}>
            <span class={`output__line output__line--${line.stream}`} data-stream={line.stream}>
              {line.text}
            </span>
            {'\n'}
          </Fragment>
        ))}
        {truncated && <span class="output__note">{t.scratch.outputTruncated}</span>}
      </pre>
    </section>
  );
}
