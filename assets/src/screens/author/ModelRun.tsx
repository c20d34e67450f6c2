/**
 * "Run all tests on the model solutions": the button, a running status that
 * can be stopped, a summary, and per question each test with what it
 * expected, what came out and any error. Hidden tests are shown too: only
 * the course's instructors see this page.
 */
import { t } from '../../i18n';
import type { DraftQuestion } from './draft';
import { runFingerprint } from './draft';
import type { CheckedTest, RunReport, RunState } from './modelRun';

const text = t.author.run;

interface Props {
  state: RunState;
  questions: DraftQuestion[];
  onStart: () => void;
  onStop: () => void;
}

function statusText(state: RunState): string {
  switch (state.phase) {
    case 'idle':
      return '';
    case 'running':
      return text.running(state.question, state.of);
    case 'unavailable':
      return text.unavailable(state.reason);
    case 'done':
      if (state.report.stopped) return text.stopped;
      return state.report.failed === 0 ? text.allPassed(state.report.total) : text.someFailed(state.report.failed, state.report.total);
  }
}

function Outcome({ checked, index }: { checked: CheckedTest; index: number }) {
  const { test, result } = checked;
  const passed = result?.passed === true;
  return (
    <li class="test-result" data-testid="model-result" data-passed={String(passed)} data-visibility={test.visibility}>
      <p>
        <strong>{t.author.tests.name(index)}</strong>{' '}
        <span class="cell--small">{text.kindLine(test.visibility, test.kind)}</span>{' '}
        <span class={`badge ${passed ? 'badge--pass' : 'badge--fail'}`}>{passed ? text.passed : result === null ? text.notRun : text.failed}</span>
      </p>
      {test.kind === 'function' && <pre class="test-result__code"><code>{test.expression}</code></pre>}
      {result !== null && (
        <dl class="test-result__values">
          {test.kind === 'io' && test.stdin !== '' && (
            <>
              <dt>{text.stdin}</dt>
              <dd><pre>{test.stdin}</pre></dd>
            </>
          )}
          <dt>{text.expected}</dt>
          <dd><pre data-testid="model-result-expected">{result.expected}</pre></dd>
          <dt>{text.actual}</dt>
          <dd><pre data-testid="model-result-actual">{result.actual}</pre></dd>
          {result.error !== null && (
            <>
              <dt>{text.error}</dt>
              <dd><pre class="output__line--stderr" data-testid="model-result-error">{result.error}</pre></dd>
            </>
          )}
        </dl>
      )}
    </li>
  );
}

function Report({ report }: { report: RunReport }) {
  return (
    <>
      {report.questions.map((question, index) => (
        <section key={index} aria-labelledby={`model-run-q${String(index)}`} data-testid="model-run-question">
          <h3 id={`model-run-q${String(index)}`}>
            {question.title.trim() === '' ? t.author.questions.number(index) : t.author.questions.named(index, question.title)}
          </h3>
          {question.tests.length === 0 ? (
            <p class="empty">{text.noTestsInQuestion}</p>
          ) : (
            <ol class="test-results">
              {question.tests.map((checked, n) => <Outcome key={n} checked={checked} index={n} />)}
            </ol>
          )}
        </section>
      ))}
    </>
  );
}

export function ModelRun({ state, questions, onStart, onStop }: Props) {
  const running = state.phase === 'running';
  const total = questions.reduce((sum, question) => sum + question.tests.length, 0);
  const stale = state.phase === 'done' && state.report.fingerprint !== runFingerprint(questions);
  const outcome = state.phase === 'done' ? (state.report.stopped ? 'stopped' : state.report.failed === 0 ? 'passed' : 'failed') : state.phase;
  return (
    <section class="panel" aria-labelledby="model-run-heading" data-testid="model-run">
      <h2 id="model-run-heading">{text.heading}</h2>
      <p>{text.intro}</p>
      <div class="actions">
        <button type="button" class="button" disabled={running || total === 0} data-testid="run-models" onClick={onStart}>
          {text.run}
        </button>
        <button type="button" class="button button--secondary" disabled={!running} data-testid="stop-models" onClick={onStop}>
          {text.stop}
        </button>
      </div>
      {total === 0 && <p class="empty">{text.noTests}</p>}
      <p
        class={`author-run-status ${outcome === 'passed' ? 'summary summary--pass' : outcome === 'failed' || outcome === 'stopped' || outcome === 'unavailable' ? 'summary summary--fail' : 'run-status'}`}
        role="status"
        data-testid="model-run-status"
        data-phase={outcome}
      >
        {statusText(state)}
      </p>
      {stale && <p class="notice notice--info" data-testid="model-run-stale">{text.stale}</p>}
      {state.phase === 'done' && <Report report={state.report} />}
    </section>
  );
}
