/**
 * Grading in this browser: a pool of Python sandboxes (as many as the
 * browser's cores allow, at most four) takes the submissions that still
 * lack results one at a time. Each submission gets a fresh interpreter,
 * started from the memory snapshot (ahead of need, while the previous one
 * runs: FreshPythons) and ended after it, so nothing one submission does
 * reaches the next. Each test has a time limit; a test that runs past it
 * is stopped and reported as timed out. A submission's visible tests run
 * first, in one run, then its hidden ones; each run's results go to the
 * server as soon as it ends, so a closed tab loses only the run in
 * progress, and grading started again skips what the server already holds.
 * A grade in progress stops at once when its signal aborts (the page
 * closes, or another worker failed), and waits between two tests while
 * paused.
 */
import type { GradingQuestion, GradingTest, ReportedResult, SubmissionWork } from '../api/grading';
import { PythonRunner } from '../python/runner';
import { excerpt, expectedProgram, gradeProgram, judge, newMarker, readReport, type Expected, type Graded, type Reported } from './harness';

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
  /** Paused now: a run stops after the test it is running. */
  held: () => boolean;
}

/** How many sandboxes this browser runs at once: one core stays for the page. */
export function workerCount(): number {
  const cores = navigator.hardwareConcurrency || 2;
  return Math.max(1, Math.min(MOST_WORKERS, cores - 1));
}

/** Runs `work` on a fresh Python (`runner`, a new one unless given) that is ended afterwards, whatever happens. */
async function withFreshPython<T>(work: (runner: PythonRunner) => Promise<T>, runner = new PythonRunner()): Promise<T> {
  try {
    return await work(runner);
  } finally {
    runner.dispose();
  }
}

/**
 * Fresh interpreters for a grade, one always starting ahead of need: the
 * next submission's sandbox boots (from the snapshot, on another core)
 * while the one before it runs its tests, so the pool waits for a boot only
 * once. Each interpreter still serves one submission alone.
 */
export class FreshPythons {
  readonly #ahead: number;
  readonly #spares: PythonRunner[] = [];
  #closed = false;

  /** Keeps `ahead` interpreters starting (one per core the page may use: starting is the costly part). */
  constructor(ahead = workerCount() + 1) {
    this.#ahead = Math.max(1, ahead);
  }

  /** A fresh interpreter, already starting; starts the next one. */
  take(): PythonRunner {
    const runner = this.#spares.shift() ?? FreshPythons.#starting();
    this.warm();
    return runner;
  }

  /** Starts spares until `ahead` are starting. */
  warm(): void {
    while (!this.#closed && this.#spares.length < this.#ahead) this.#spares.push(FreshPythons.#starting());
  }

  /** Ends the spares; later takes start their interpreter on demand. */
  close(): void {
    this.#closed = true;
    for (const spare of this.#spares.splice(0)) spare.dispose();
  }

  static #starting(): PythonRunner {
    const runner = new PythonRunner();
    // A failed start surfaces on the interpreter's first run.
    runner.boot().catch(() => undefined);
    return runner;
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
      const { lines } = await runTests(runner, expectedProgram(marker, test.expected), [marker], TEST_TIME_LIMIT_MS, () => false);
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

/**
 * Runs `program`, which reports each test behind one of `markers`, on
 * `runner`: each test has `limitMs` from the report before it (the first
 * from the start), and past it the run is stopped. When `between()` says so
 * at a report, the run is stopped there (paused, or the grade ends) and the
 * tests after it wait for a later run.
 */
async function runTests(
  runner: PythonRunner,
  program: string,
  markers: readonly string[],
  limitMs: number,
  between: () => boolean,
): Promise<{ lines: string[]; tampered: ReadonlySet<number>; timedOut: boolean }> {
  await runner.boot();
  const lines: string[] = [];
  // The next test to report: only its marker restarts the clock, once, so
  // code that prints markers it found cannot keep a run going for longer
  // than its tests' limits together.
  const state = { timedOut: false, stopped: false, next: 0 };
  // Tests with a report line out of turn (ahead of it, or again after it):
  // the code wrote a report of its own, and the test is an error.
  const tampered = new Set<number>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      state.timedOut = true;
      runner.stop();
    }, limitMs);
  };
  arm();
  try {
    await runner.run(program, {
      stdout: (line) => {
        lines.push(line);
        const index = markers.findIndex((marker) => line.startsWith(marker));
        if (index === -1) return;
        if (index !== state.next) {
          tampered.add(index);
          return;
        }
        state.next += 1;
        if (state.stopped) return;
        if (between()) {
          state.stopped = true;
          clearTimeout(timer);
          runner.stop();
        } else {
          arm();
        }
      },
    });
    // Only this clock times a test out: a run the code interrupted itself ended without a report.
    return { lines, tampered, timedOut: state.timedOut };
  } finally {
    clearTimeout(timer);
  }
}

/** One test to run, on its question's answer. */
interface Item extends Graded {
  questionId: string;
}

/** A test the answer did not pass on its own report: `outcome`, with why in `stderr`. */
function unreported(item: Item, expected: Expected, outcome: 'error' | 'timed_out', stderr: string, stdout = ''): ReportedResult {
  const duration_ms = outcome === 'timed_out' ? TEST_TIME_LIMIT_MS : 0;
  const question_id = item.questionId;
  return { question_id, test_sha256: item.test.sha256, expected: excerpt(expected.error ?? expected.value), outcome, actual: '', stdout, stderr, duration_ms };
}

/** One test's result from its report. */
function resultOf(item: Item, expected: Expected, reported: Reported): ReportedResult {
  return {
    question_id: item.questionId,
    test_sha256: item.test.sha256,
    expected: excerpt(expected.error ?? expected.value),
    outcome: judge(item.test, expected, reported),
    actual: excerpt(reported.error ?? reported.actual),
    stdout: excerpt(reported.stdout),
    stderr: excerpt(reported.stderr),
    duration_ms: Math.round(reported.ms ?? 0),
  };
}

/** Why a test has no result of its own. */
const ENDED = 'the program ended without a result';
/** A report line out of its turn: the code wrote it, whatever it said. */
const FORGED = 'the program wrote a test report of its own';

/**
 * Grades `tests` of one answer on `runner` in as few runs as it takes: one,
 * unless a test runs out of time, ends the run without a report, or the
 * grade pauses; then the tests after it run again in a new run. Each run
 * gets markers of its own.
 */
async function gradeTests(
  runner: PythonRunner,
  items: readonly Item[],
  expected: (test: GradingTest) => Expected,
  control: Control,
): Promise<ReportedResult[]> {
  // Asked between two tests, during a run: paused, or the grade ends.
  const between = (): boolean => control.signal.aborted || control.held();
  // A grade that ends (the page closes) stops the test running now, not at its report.
  const stop = (): void => { runner.stop(); };
  control.signal.addEventListener('abort', stop);
  try {
    const results: ReportedResult[] = [];
    let rest = [...items];
    while (rest.length > 0) {
      await control.gate();
      // Stopped: what this question has so far is still stored.
      if (control.signal.aborted) break;
      const markers = rest.map(() => newMarker());
      const run = await runTests(runner, gradeProgram(markers, rest), markers, TEST_TIME_LIMIT_MS, between);
      const reports = markers.map((marker) => readReport(run.lines, marker));
      const answered = reports.findIndex((report) => report === null);
      const done = answered === -1 ? rest.length : answered;
      rest.slice(0, done).forEach((item, i) => {
        const report = reports[i] ?? null;
        const wanted = expected(item.test);
        results.push(
          run.tampered.has(i) ? unreported(item, wanted, 'error', FORGED)
            : report === null ? unreported(item, wanted, 'error', ENDED, excerpt(run.lines.join('\n')))
              : resultOf(item, wanted, report),
        );
      });
      const unanswered = rest[done];
      // Every test reported.
      if (unanswered === undefined) break;
      if (between()) {
        // Paused or ended during the run: the test it was stopped at, and the
        // rest, run after the pause (or never); nothing is made up for them.
        rest = rest.slice(done);
      } else if (run.timedOut) {
        results.push(unreported(unanswered, expected(unanswered.test), 'timed_out', `stopped after ${String(TEST_TIME_LIMIT_MS / 1000)} s`));
        rest = rest.slice(done + 1);
      } else {
        // The run ended without this test's report (the code ended the interpreter's run itself).
        results.push(unreported(unanswered, expected(unanswered.test), 'error', ENDED, excerpt(run.lines.join('\n'))));
        rest = rest.slice(done + 1);
      }
    }
    return results;
  } finally {
    control.signal.removeEventListener('abort', stop);
  }
}

/**
 * Grades the tests of `work` that have no result yet, in a fresh
 * interpreter, handing each run's results to `store` as soon as it ends.
 * Resolves with how many tests ran.
 */
export function gradeSubmission(
  questions: readonly GradingQuestion[],
  expected: ReadonlyMap<string, Expected>,
  work: SubmissionWork,
  store: (results: ReportedResult[]) => Promise<void>,
  control: Control,
  pythons: FreshPythons,
): Promise<number> {
  const done = new Set(work.results.map((result) => `${result.question_id} ${result.test_sha256}`));
  control.signal.throwIfAborted();
  return withFreshPython(async (runner) => {
    let ran = 0;
    // Every visible test before any hidden one: a run holds its tests' inputs,
    // which code in that run can read, and a visible test's output reaches
    // the student; code that runs beside hidden tests runs after every
    // visible one. Each is one run over every question (a run's round trip
    // costs far more than a test).
    const wanted = (test: GradingTest): Expected => expected.get(test.sha256) ?? { value: '', error: 'no expected value' };
    for (const visibility of ['visible', 'hidden'] as const) {
      const items = questions.flatMap((question) => {
        const code = work.answers.find((answer) => answer.question_id === question.id)?.code ?? '';
        return question.tests
          .filter((test) => test.visibility === visibility && !done.has(`${question.id} ${test.sha256}`))
          .map((test) => ({ questionId: question.id, code, test }));
      });
      const results = items.length === 0 ? [] : await gradeTests(runner, items, wanted, control);
      ran += results.length;
      if (results.length > 0) await store(results);
      control.signal.throwIfAborted();
    }
    return ran;
  }, pythons.take());
}
