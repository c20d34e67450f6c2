/**
 * Checking an exam before it is published: every test of every question,
 * visible and hidden, runs against that question's model solution in this
 * browser's Python worker (the server never runs Python). The report says
 * which draft it checked (`fingerprint`), so publishing can insist that the
 * run was of the saved exam.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ExamTest } from '../../api/types';
import { runVisibleTests, type TestResult } from '../../exam/visibleTests';
import type { PythonRunner } from '../../python/runner';
import { runFingerprint, wireTest, type DraftQuestion } from './draft';

/** One test and how it went; `result` is null when it did not run (stopped, or the run broke off). */
export interface CheckedTest {
  test: ExamTest;
  result: TestResult | null;
}

export interface QuestionReport {
  title: string;
  tests: CheckedTest[];
}

export interface RunReport {
  /** What was run: see `runFingerprint`. */
  fingerprint: string;
  total: number;
  /** Tests that failed or did not run. */
  failed: number;
  stopped: boolean;
  questions: QuestionReport[];
}

export type RunState =
  | { phase: 'idle' }
  | { phase: 'running'; question: number; of: number }
  | { phase: 'done'; report: RunReport }
  | { phase: 'unavailable'; reason: string };

/** Runs every question's tests in order; `onQuestion` hears which question is running. */
async function runAll(
  runner: PythonRunner,
  questions: DraftQuestion[],
  stopped: () => boolean,
  onQuestion: (index: number) => void,
): Promise<RunReport> {
  const report: RunReport = { fingerprint: runFingerprint(questions), total: 0, failed: 0, stopped: false, questions: [] };
  for (const [index, question] of questions.entries()) {
    const tests = question.tests.map(wireTest);
    let results: TestResult[] = [];
    if (tests.length > 0 && !report.stopped) {
      onQuestion(index);
      const run = await runVisibleTests(runner, question.model_solution, tests);
      results = run.results;
      report.stopped = run.status === 'interrupted' || stopped();
    }
    const checked = tests.map((test, n) => ({ test, result: results.find((result) => result.index === n) ?? null }));
    report.total += checked.length;
    report.failed += checked.filter((one) => one.result?.passed !== true).length;
    report.questions.push({ title: question.title, tests: checked });
  }
  return report;
}

/** The state of the screen's model-solution run, and how to start and stop it. */
export function useModelRun(runner: PythonRunner): {
  state: RunState;
  start: (questions: DraftQuestion[]) => void;
  stop: () => void;
} {
  const [state, setState] = useState<RunState>({ phase: 'idle' });
  const stopping = useRef(false);
  const mounted = useRef(true);
  useEffect(() => () => { mounted.current = false; }, []);

  const start = useCallback((questions: DraftQuestion[]) => {
    stopping.current = false;
    const count = questions.length;
    setState({ phase: 'running', question: 0, of: count });
    runAll(runner, questions, () => stopping.current, (question) => {
      if (mounted.current) setState({ phase: 'running', question, of: count });
    }).then(
      (report) => { if (mounted.current) setState({ phase: 'done', report }); },
      (error: unknown) => {
        if (mounted.current) setState({ phase: 'unavailable', reason: error instanceof Error ? error.message : String(error) });
      },
    );
  }, [runner]);

  const stop = useCallback(() => {
    stopping.current = true;
    runner.stop();
  }, [runner]);

  return { state, start, stop };
}
