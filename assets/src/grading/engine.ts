/**
 * Grading in this browser: a pool of Python sandboxes (as many as the
 * browser's cores allow, at most four) takes the submissions that still
 * lack results one at a time. Each submission gets a fresh interpreter,
 * started from the memory snapshot and ended after it, so nothing one
 * submission does reaches the next. Each test has a time limit; a test that
 * runs past it is stopped and reported as timed out. Results go to the
 * server per question as soon as they are known, so a closed tab loses
 * only the question that was running, and grading started again skips what
 * the server already holds.
 */
import type { GradingQuestion, GradingTest, ReportedResult, SubmissionWork } from '../api/grading';
import { PythonRunner } from '../python/runner';
import { excerpt, expectedProgram, gradeProgram, judge, newMarker, readReport } from './harness';

/** How long one test may run before it is stopped and counted as timed out. */
export const TEST_TIME_LIMIT_MS = 10_000;
/** The most sandboxes at once: each holds a Python interpreter (tens of megabytes). */
const MOST_WORKERS = 4;

/** How many sandboxes this browser runs at once: one core stays for the page. */
export function workerCount(): number {
  const cores = navigator.hardwareConcurrency || 2;
  return Math.max(1, Math.min(MOST_WORKERS, cores - 1));
}

/** Runs `program` on `runner` with a time limit; resolves with its output lines and whether it ran out of time. */
async function runLimited(runner: PythonRunner, program: string, limitMs: number): Promise<{ lines: string[]; timedOut: boolean; ms: number }> {
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

/**
 * The canonical expected value of every function test, by the test's
 * SHA-256, from an interpreter that runs no student's code. A test whose
 * expected value does not evaluate keeps the error, so its results say why.
 */
export async function canonicalExpected(questions: readonly GradingQuestion[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const runner = new PythonRunner();
  try {
    await runner.boot();
    for (const test of questions.flatMap((question) => question.tests)) {
      if (test.kind !== 'function') {
        found.set(test.sha256, test.expected);
        continue;
      }
      if (found.has(test.sha256)) continue;
      const marker = newMarker();
      const { lines } = await runLimited(runner, expectedProgram(marker, test.expected), TEST_TIME_LIMIT_MS);
      const line = [...lines].reverse().find((text) => text.startsWith(marker));
      const body = line === undefined ? null : (JSON.parse(line.slice(marker.length)) as { value?: string; error?: string });
      found.set(test.sha256, body?.value ?? `<the expected value does not evaluate: ${body?.error ?? 'no answer'}>`);
    }
  } finally {
    runner.dispose();
  }
  return found;
}

/** Grades one test of one answer on `runner`. */
export async function gradeTest(
  runner: PythonRunner,
  questionId: string,
  code: string,
  test: GradingTest,
  expected: string,
): Promise<ReportedResult> {
  const marker = newMarker();
  const run = await runLimited(runner, gradeProgram(marker, code, test), TEST_TIME_LIMIT_MS);
  const reported = readReport(run.lines, marker);
  const base = { question_id: questionId, test_sha256: test.sha256, expected: excerpt(expected), duration_ms: Math.round(run.ms) };
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
export async function gradeSubmission(
  questions: readonly GradingQuestion[],
  expected: ReadonlyMap<string, string>,
  work: SubmissionWork,
  store: (results: ReportedResult[]) => Promise<void>,
): Promise<number> {
  const done = new Set(work.results.map((result) => `${result.question_id} ${result.test_sha256}`));
  let ran = 0;
  const runner = new PythonRunner();
  try {
    // Started before the first test's clock, which counts the test alone.
    await runner.boot();
    for (const question of questions) {
      const code = work.answers.find((answer) => answer.question_id === question.id)?.code ?? '';
      const results: ReportedResult[] = [];
      const seen = new Set<string>();
      for (const test of question.tests) {
        const key = `${question.id} ${test.sha256}`;
        if (done.has(key) || seen.has(key)) continue;
        seen.add(key);
        results.push(await gradeTest(runner, question.id, code, test, expected.get(test.sha256) ?? test.expected));
        ran += 1;
      }
      if (results.length > 0) await store(results);
    }
  } finally {
    runner.dispose();
  }
  return ran;
}
