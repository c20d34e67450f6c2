/**
 * One grade of an exam in this browser: the submissions in `queue`, each
 * read from the server, graded in a fresh interpreter (engine.ts) and its
 * results stored, by as many sandboxes at once as the browser's cores allow.
 * The pipeline keeps each sandbox busy: the next submission's answers are
 * read, and its interpreter starts, while one is graded; its results go to
 * the server while the next tests run (one request behind another, so a
 * slow server holds the grade back rather than piling requests up).
 */
import { recordResults, submissionWork, type GradingQuestion, type ReportedResult } from '../api/grading';
import { canonicalExpected, FreshPythons, gradeSubmission, workerCount, type Control } from './engine';

export interface GradeOrder {
  courseId: string;
  examId: string;
  questions: readonly GradingQuestion[];
  /** Submissions to grade; taken from the front, shared by the sandboxes. */
  queue: string[];
  control: Control;
  /** The expected values are known: tests start. */
  onRunning: () => void;
  /** One more submission has every result (its last store may still be on its way). */
  onGraded: () => void;
}

/** Grades the order's queue; rejects with the first failure, after which the other sandboxes stop too. */
export async function gradeQueue(order: GradeOrder): Promise<void> {
  const { courseId, examId, questions, queue, control } = order;
  const pythons = new FreshPythons();
  // A grade that ends (the page closes) ends the interpreters starting ahead of need at once.
  const close = (): void => { pythons.close(); };
  control.signal.addEventListener('abort', close);
  // The first submission's interpreter starts beside the one reading the expected values.
  if (queue.length > 0) pythons.warm();
  const fetchWork = (id: string | undefined) => {
    const work = id === undefined ? undefined : submissionWork(courseId, examId, id);
    // A grade stopped before it is read must not leave its failure unhandled.
    work?.catch(() => undefined);
    return work;
  };
  try {
    const expected = await canonicalExpected(questions, control);
    order.onRunning();
    const sandbox = async () => {
      let storing: Promise<unknown> = Promise.resolve();
      let next = queue.shift();
      let nextWork = fetchWork(next);
      while (next !== undefined && nextWork !== undefined && !control.signal.aborted) {
        const [id, work] = [next, await nextWork];
        next = queue.shift();
        nextWork = fetchWork(next);
        const store = async (results: ReportedResult[]) => {
          const previous = storing;
          storing = previous.then(() => recordResults(courseId, examId, id, results));
          // Awaited below, or by the next store; a grade that stops first must not leave it unhandled.
          storing.catch(() => undefined);
          await previous;
        };
        await gradeSubmission(questions, expected, work, store, control, pythons);
        order.onGraded();
      }
      await storing;
    };
    await Promise.all(Array.from({ length: workerCount() }, sandbox));
  } finally {
    control.signal.removeEventListener('abort', close);
    pythons.close();
  }
}
