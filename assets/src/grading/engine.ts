/**
 * Grading in this browser: a pool of Python sandboxes (as many as the
 * browser's cores allow, at most four) takes the submissions that still
 * lack results one at a time. Each submission gets a fresh interpreter,
 * started from the memory snapshot and ended after it, so nothing one
 * submission does reaches the next. Each test has a time limit; a test that
 * runs past it is stopped and reported as timed out. Results go to the
 * server per question as soon as they are known, so a closed tab loses
 * only the question that was running, and grading started again skips what
 * the server already holds. A grade in progress stops between two tests
 * when its signal aborts (the page closes, or another worker failed), and
 * waits between two tests while paused.
 */
import type { GradingQuestion, GradingTest, ReportedResult, SubmissionWork } from '../api/grading';
import { PythonRunner } from '../python/runner';
import { excerpt, expectedProgram, gradeProgram, judge, newMarker, readReport, type Expected } from './harness';

/** How long one test may run before it is stopped and counted as timed out. */
export const TEST_TIME_LIMIT_MS = 10_000;
/** The most sandboxes at once: each holds a Python interpreter (tens of megabytes). */
const MOST_WORKERS = 4;

/** What a grade in progress checks between two tests. */
export interface Control {
  /** Aborted: stop before the next test. */
  signal: AbortSignal;
  /** Resolves when the grade may go on (at once, unless paused). */
  gate: () => Promise<void>;
}

/** How many sandboxes this browser runs at once: one core stays for the page. */
export function workerCount(): number {
  const cores = navigator.hardwareConcurrency || 2;
  return Math.max(1, Math.min(MOST_WORKERS, cores - 1));
}

/**
 * Runs `program` on `runner` with a time limit that counts the program
 * alone (a sandbox restarted after an earlier Stop boots first); resolves
 * with its output lines and whether it ran out of time.
 */
async function runLimited(runner: PythonRunner, program: string, limitMs: number): Promise<{ lines: string[]; timedOut: boolean; ms: number }> {
  await runner.boot();
  const lines: string[] = [];
  const limit = { reached: false };
  const timer = setTimeout(() => {
    limit.reached = true;
    runner.stop();
  }, limitMs);
  try {
    const run = await runner.run(program, { stdout: (line) => { lines.push(line); } });
    return { lines, timedOut: limit.reached || run.status === 'interrupted', ms: run.ms };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `work` on a fresh Python that is ended afterwards, whatever happens. */
async function withFreshPython<T>(work: (runner: PythonRunner) => Promise<T>): Promise<T> {
  const runner = new PythonRunner();
  try {
    return await work(runner);
  } finally {
    runner.dispose();
  }
}

/**
 * The expected value of every test by its SHA-256: a function test's made
 * canonical in an interpreter that runs no student's code (one that does
 * not evaluate, or has no canonical form, keeps why, and fails every
 * answer), an io test's as written.
 */
export function canonicalExpected(questions: readonly GradingQuestion[], control: Control): Promise<Map<string, Expected>> {
  return withFreshPython(async (runner) => {
    const found = new Map<string, Expected>();
    for (const test of questions.flatMap((question) => question.tests)) {
      if (found.has(test.sha256)) continue;
      if (test.kind !== 'function') {
        found.set(test.sha256, { value: test.expected, error: null });
        continue;
      }
      control.signal.throwIfAborted();
      const marker = newMarker();
      const { lines } = await runLimited(runner, expectedProgram(marker, test.expected), TEST_TIME_LIMIT_MS);
      const line = [...lines].reverse().find((text) => text.startsWith(marker));
      const body = line === undefined ? null : (JSON.parse(line.slice(marker.length)) as { value?: string; error?: string });
      found.set(
        test.sha256,
        body?.value === undefined
          ? { value: '', error: `the expected value does not evaluate: ${body?.error ?? 'no answer'}` }
          : { value: body.value, error: null },
      );
    }
    return found;
  });
}

/** Grades one test of one answer on `runner`. */
async function gradeTest(
  runner: PythonRunner,
  questionId: string,
  code: string,
  test: GradingTest,
  expected: Expected,
): Promise<ReportedResult> {
  const marker = newMarker();
  const run = await runLimited(runner, gradeProgram(marker, code, test), TEST_TIME_LIMIT_MS);
  const reported = readReport(run.lines, marker);
  const shown = excerpt(expected.error ?? expected.value);
  const base = { question_id: questionId, test_sha256: test.sha256, expected: shown, duration_ms: Math.round(run.ms) };
  if (run.timedOut) {
    return { ...base, outcome: 'timed_out', actual: '', stdout: '', stderr: `stopped after ${String(TEST_TIME_LIMIT_MS / 1000)} s` };
  }
  if (reported === null) {
    return { ...base, outcome: 'error', actual: '', stdout: excerpt(run.lines.join('\n')), stderr: 'the program ended without a result' };
  }
  return {
    ...base,
    outcome: judge(test, expected, reported),
    actual: excerpt(reported.error ?? reported.actual),
    stdout: excerpt(reported.stdout),
    stderr: excerpt(reported.stderr),
  };
}

/**
 * Grades the tests of `work` that have no result yet, in a fresh
 * interpreter, handing each question's results to `store` as soon as they
 * are known. Resolves with how many tests ran.
 */
export function gradeSubmission(
  questions: readonly GradingQuestion[],
  expected: ReadonlyMap<string, Expected>,
  work: SubmissionWork,
  store: (results: ReportedResult[]) => Promise<void>,
  control: Control,
): Promise<number> {
  const done = new Set(work.results.map((result) => `${result.question_id} ${result.test_sha256}`));
  control.signal.throwIfAborted();
  return withFreshPython(async (runner) => {
    let ran = 0;
    for (const question of questions) {
      const code = work.answers.find((answer) => answer.question_id === question.id)?.code ?? '';
      const results: ReportedResult[] = [];
      for (const test of question.tests) {
        const key = `${question.id} ${test.sha256}`;
        if (done.has(key)) continue;
        done.add(key);
        await control.gate();
        // Stopped: what this question has so far is still stored, below.
        if (control.signal.aborted) break;
        const wanted = expected.get(test.sha256) ?? { value: '', error: 'no expected value' };
        results.push(await gradeTest(runner, question.id, code, test, wanted));
        ran += 1;
      }
      if (results.length > 0) await store(results);
      control.signal.throwIfAborted();
    }
    return ran;
  });
}
