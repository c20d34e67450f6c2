/**
 * The exam-room readiness check (`/` and `/check`): IT opens it on each
 * exam-hall computer before exam day. It runs every browser check, boots
 * Python in the worker, and offers a scratch area to try a program.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { t, type CheckId } from '../../i18n';
import { PythonRunner } from '../../python/runner';
import { browserChecks, runCheck, type BrowserCheck, type Outcome } from './checks';
import { CheckList, checkOrder, type CheckState } from './CheckList';
import { Scratch } from './Scratch';

/** The check program: its one line of output proves that Python ran it. */
const PYTHON_PROBE = 'print(6 * 7)';
const PYTHON_PROBE_OUTPUT = '42';

type States = Record<CheckId, CheckState>;

const allPending = (): States =>
  Object.fromEntries(checkOrder.map((id) => [id, { status: 'pending' }])) as States;

function fromOutcome(outcome: Outcome): CheckState {
  if (outcome.ok) return { status: 'pass' };
  const failed: CheckState = { status: 'fail' };
  if (outcome.reason !== undefined) failed.reason = outcome.reason;
  if (outcome.advice !== undefined) failed.advice = outcome.advice;
  return failed;
}

async function pythonCheck(runner: PythonRunner): Promise<CheckState> {
  try {
    const info = await runner.boot();
    const output: string[] = [];
    const collect = (line: string): void => { output.push(line); };
    const result = await runner.run(PYTHON_PROBE, { stdout: collect, stderr: collect });
    if (result.status !== 'ok' || output.join('\n') !== PYTHON_PROBE_OUTPUT) {
      return { status: 'fail', reason: `unexpected output: ${output.join(' ')}` };
    }
    return { status: 'pass', detail: t.readiness.pythonDetail(info.pythonVersion, info.bootMs) };
  } catch (error) {
    return { status: 'fail', reason: error instanceof Error ? error.message : String(error) };
  }
}

export function ReadinessScreen() {
  const [runner] = useState(() => new PythonRunner());
  const [states, setStates] = useState<States>(allPending);
  const [round, setRound] = useState(0);

  useEffect(() => () => { runner.dispose(); }, [runner]);

  useEffect(() => {
    let current = true;
    const settle = (id: CheckId, state: CheckState): void => {
      if (current) setStates((previous) => ({ ...previous, [id]: state }));
    };
    for (const [id, check] of Object.entries(browserChecks) as [CheckId, BrowserCheck][]) {
      void runCheck(check).then((outcome) => { settle(id, fromOutcome(outcome)); });
    }
    void pythonCheck(runner).then((state) => { settle('python', state); });
    return () => { current = false; };
  }, [runner, round]);

  const again = useCallback(() => {
    setStates(allPending());
    setRound((n) => n + 1);
  }, []);

  const outcomes = checkOrder.map((id) => states[id].status);
  const failed = outcomes.filter((status) => status === 'fail').length;
  const done = !outcomes.includes('pending');
  const summary = !done ? t.readiness.summary.running : failed === 0 ? t.readiness.summary.ready : t.readiness.summary.notReady(failed);

  return (
    <>
      <h1>{t.readiness.heading}</h1>
      <p class="lead">{t.readiness.intro}</p>
      <section class="panel" aria-labelledby="checks-heading">
        <h2 id="checks-heading">{t.readiness.checksHeading}</h2>
        <p
          class={`summary summary--${!done ? 'pending' : failed === 0 ? 'pass' : 'fail'}`}
          role="status"
          data-testid="summary"
          data-done={String(done)}
        >
          {summary}
        </p>
        <CheckList states={states} />
        <button type="button" class="button button--secondary" onClick={again} disabled={!done} data-testid="run-checks">
          {t.readiness.runAgain}
        </button>
      </section>
      <Scratch runner={runner} />
    </>
  );
}
