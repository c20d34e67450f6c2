/**
 * Run, Test and Stop for the question on screen: Run streams the program's
 * standard output and error into the output panel (drawn once per frame);
 * Test runs the visible tests and lists each with what was expected and what
 * came out. Both use the page's one Python worker. Ctrl+Enter in the editor
 * runs as the Run button does (`runTrigger`).
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../../i18n';
import type { VisibleTest } from '../../api/attempts';
import type { PythonRunner, RunResult } from '../../python/runner';
import { runVisibleTests, type TestResult } from '../../exam/visibleTests';

interface Line {
  /** `stdin`: a line the student typed for input(), echoed as a terminal would. */
  stream: 'stdout' | 'stderr' | 'stdin';
  text: string;
}

const MAX_LINES = 2000;

type RunState =
  | { phase: 'idle' }
  | { phase: 'running' | 'testing' }
  | { phase: 'ran'; result: RunResult }
  | { phase: 'tested'; results: TestResult[]; total: number; stopped: boolean }
  | { phase: 'unavailable' };

/** How a question's visible tests last ended, for the summary before submitting. */
export interface TestsOutcome {
  passed: number;
  total: number;
  /** Stopped before every test ran. */
  stopped: boolean;
  /** The code the tests ran against. */
  code: string;
}

interface Props {
  runner: PythonRunner;
  code: () => string;
  tests: VisibleTest[];
  questionId: string;
  /**
   * Records what a run or a test run ended with, into the attempt's log:
   * what the student tried is part of the evidence people review.
   */
  onRecord: (questionId: string, kind: 'run' | 'tests_run', data: Record<string, unknown>) => void;
  /** How the visible tests of a question last ended. */
  onTested: (questionId: string, outcome: TestsOutcome) => void;
  /** Holds this panel's Run while it is on screen, for the editor's Ctrl+Enter. */
  runTrigger: { current: (() => void) | null };
}

function statusText(state: RunState): string {
  switch (state.phase) {
    case 'idle':
      return '';
    case 'running':
      return t.exam.running;
    case 'testing':
      return t.exam.testsRunning;
    case 'unavailable':
      return t.exam.runResult.unavailable;
    case 'ran': {
      const { status, ms } = state.result;
      if (status === 'ok') return t.exam.runResult.ok(ms);
      return status === 'error' ? t.exam.runResult.error(ms) : t.exam.runResult.interrupted;
    }
    case 'tested':
      return state.stopped
        ? t.exam.testsStopped
        : t.exam.testsSummary(state.results.filter((result) => result.passed).length, state.total);
  }
}

export function RunPanel({ runner, code, tests, questionId, onRecord, onTested, runTrigger }: Props) {
  const [lines, setLines] = useState<readonly Line[]>([]);
  const [truncated, setTruncated] = useState(false);
  const [state, setState] = useState<RunState>({ phase: 'idle' });
  const buffer = useRef<Line[]>([]);
  const frame = useRef(0);
  /** The program waits in input(): how to answer it. */
  const [asking, setAsking] = useState<((line: string | null) => void) | null>(null);
  const [typed, setTyped] = useState('');
  const inputField = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (asking !== null) inputField.current?.focus();
  }, [asking]);

  useEffect(() => () => { cancelAnimationFrame(frame.current); }, []);
  // Another question: a program still running stops, and the output starts empty.
  useEffect(() => {
    runner.stop();
    buffer.current = [];
    setLines([]);
    setTruncated(false);
    setState({ phase: 'idle' });
  }, [questionId, runner]);

  const draw = useCallback(() => {
    frame.current = 0;
    setLines(buffer.current.slice());
  }, []);

  const append = useCallback((stream: Line['stream'], text: string) => {
    if (buffer.current.length >= MAX_LINES) {
      setTruncated(true);
      return;
    }
    buffer.current.push({ stream, text });
    frame.current ||= requestAnimationFrame(draw);
  }, [draw]);

  const busy = state.phase === 'running' || state.phase === 'testing';

  const run = async (): Promise<void> => {
    if (busy) return;
    buffer.current = [];
    setLines([]);
    setTruncated(false);
    setState({ phase: 'running' });
    try {
      const result = await runner.run(code(), {
        stdout: (text) => { append('stdout', text); },
        stderr: (text) => { append('stderr', text); },
        stdin: () => {
          cancelAnimationFrame(frame.current);
          draw();
          return new Promise<string | null>((resolve) => {
            setTyped('');
            setAsking(() => (line: string | null) => {
              setAsking(null);
              resolve(line);
            });
          });
        },
      });
      setState({ phase: 'ran', result });
      onRecord(questionId, 'run', { status: result.status, ms: Math.round(result.ms) });
    } catch {
      setState({ phase: 'unavailable' });
    }
    setAsking(null);
    cancelAnimationFrame(frame.current);
    draw();
  };

  // The latest Run, with what this render knows (a run in progress is not started again).
  useEffect(() => {
    runTrigger.current = () => { void run(); };
    return () => { runTrigger.current = null; };
  });

  const send = (line: string | null): void => {
    if (asking === null) return;
    if (line !== null) append('stdin', line);
    asking(line);
  };

  const test = async (): Promise<void> => {
    if (busy) return;
    setState({ phase: 'testing' });
    try {
      const source = code();
      const { results, status } = await runVisibleTests(runner, source, tests);
      const stopped = status === 'interrupted';
      setState({ phase: 'tested', results, total: tests.length, stopped });
      onRecord(questionId, 'tests_run', { outcomes: results.map((result) => result.passed), total: tests.length, stopped });
      onTested(questionId, { passed: results.filter((result) => result.passed).length, total: tests.length, stopped, code: source });
    } catch {
      setState({ phase: 'unavailable' });
    }
  };

  return (
    <div class="run-panel">
      <div class="actions">
        <button
          type="button"
          class="button"
          onClick={() => void run()}
          disabled={busy}
          aria-describedby={`run-shortcut-${questionId}`}
          data-testid="run"
        >
          {t.exam.run}
        </button>
        <button type="button" class="button" onClick={() => void test()} disabled={busy || tests.length === 0} data-testid="test">
          {t.exam.test}
        </button>
        <button type="button" class="button button--secondary" onClick={() => { runner.stop(); }} disabled={!busy} data-testid="stop">
          {t.exam.stop}
        </button>
        <p class="run-status" role="status" data-testid="run-status" data-phase={state.phase}>{statusText(state)}</p>
      </div>
      <p class="hint" id={`run-shortcut-${questionId}`} data-testid="run-shortcut">{t.exam.runShortcut}</p>
      <p class="hint">{runner.canInput ? t.exam.inputHint : t.exam.noInput}</p>
      <h3 id={`output-${questionId}`}>{t.exam.outputHeading}</h3>
      <pre class="output" tabIndex={0} aria-labelledby={`output-${questionId}`} data-testid="output">
        {lines.length === 0 && <span class="output__empty">{t.exam.outputEmpty}</span>}
        {lines.map((line, index) => (
          <span key={index} class={line.stream === 'stdout' ? undefined : `output__line--${line.stream}`} data-stream={line.stream}>
            {line.text}
            {'\n'}
          </span>
        ))}
        {truncated && <span class="output__note">{t.exam.outputTruncated}</span>}
      </pre>
      {asking !== null && (
        <form
          class="stdin-form"
          onSubmit={(event) => {
            event.preventDefault();
            send(typed);
          }}
          data-testid="stdin-form"
        >
          <label class="field-label" for={`stdin-${questionId}`}>{t.exam.inputLabel}</label>
          <div class="stdin-form__row">
            <input
              ref={inputField}
              id={`stdin-${questionId}`}
              class="input input--mono"
              type="text"
              autocomplete="off"
              autocapitalize="off"
              autocorrect="off"
              spellcheck={false}
              value={typed}
              onInput={(event) => { setTyped(event.currentTarget.value); }}
              data-testid="stdin-input"
            />
            <button type="submit" class="button" data-testid="stdin-send">{t.exam.inputSend}</button>
            <button type="button" class="button button--secondary" onClick={() => { send(null); }} data-testid="stdin-eof">
              {t.exam.inputEnd}
            </button>
          </div>
        </form>
      )}
      {/* No empty heading before a first run: it appears with what it heads. */}
      {(tests.length === 0 || state.phase === 'tested') && <h3>{t.exam.testsHeading}</h3>}
      {tests.length === 0 ? (
        <p class="empty-state">{t.exam.noTests}</p>
      ) : state.phase === 'tested' ? (
        <ol class="test-results" data-testid="test-results">
          {state.results.map((result) => (
            <li key={result.index} class="test-result" data-testid="test-result" data-passed={String(result.passed)}>
              <p>
                <strong>{t.exam.testName(result.index)}</strong>{' '}
                <span class={`badge ${result.passed ? 'badge--pass' : 'badge--fail'}`}>
                  {result.passed ? t.exam.testPassed : t.exam.testFailed}
                </span>
              </p>
              {tests[result.index]?.kind === 'function' && (
                <pre class="test-result__code"><code>{tests[result.index]?.expression}</code></pre>
              )}
              <dl class="test-result__values">
                <dt>{t.exam.expected}</dt>
                <dd><pre>{result.expected}</pre></dd>
                <dt>{t.exam.actual}</dt>
                <dd><pre>{result.actual}</pre></dd>
                {!result.passed && result.prompts !== undefined && result.prompts.length > 0 && (
                  <>
                    <dt>{t.exam.whyPrompt}</dt>
                    <dd data-testid="test-result-prompts">{t.exam.promptPrinted(result.prompts)}</dd>
                  </>
                )}
                {result.error !== null && (
                  <>
                    <dt>{t.exam.error}</dt>
                    <dd><pre class="output__line--stderr">{result.error}</pre></dd>
                  </>
                )}
              </dl>
            </li>
          ))}
        </ol>
      ) : null}
    </div>
  );
}
