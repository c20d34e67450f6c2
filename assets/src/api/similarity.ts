/**
 * Similarity between an exam's submissions, per question, for the course's
 * instructors and reviewers: the latest stored run (the report viewer's
 * JSON, each submission named by its attempt's id), running it now, and
 * decisions on pairs, appended and never changed.
 */
import { api } from './client';
import type { Decision } from './review';
import type { Report } from '../similarity/types';

const similarityPath = (courseId: string, examId: string): string =>
  `/courses/${encodeURIComponent(courseId)}/exams/${encodeURIComponent(examId)}/similarity`;

/** Why a run was made. */
export type RunReason = 'exam_closed' | 'on_demand';

export interface SimilarityRun {
  id: string;
  ran_at: string;
  reason: RunReason;
  /** Who asked, for a run on demand; null for the run at the exam's close. */
  requested_by: string | null;
  requested_by_name: string | null;
  report: Report;
}

/** One decision on a pair of submissions. */
export interface PairReview {
  /** The pair's attempts, the smaller id first. */
  attempts: [string, string];
  decision: Decision;
  comment: string;
  made_by: string;
  made_by_name: string;
  made_at: string;
}

export interface QuestionSimilarity {
  question_id: string;
  /** What every report says: a score is evidence, never a verdict. */
  notice: string;
  /** Null until the question has been compared. */
  run: SimilarityRun | null;
  /** Every decision on the question's pairs, newest first. */
  reviews: PairReview[];
}

/** The question's latest run and the decisions on its pairs. */
export const questionSimilarity = (courseId: string, examId: string, questionId: string): Promise<QuestionSimilarity> =>
  api(`${similarityPath(courseId, examId)}?question=${encodeURIComponent(questionId)}`);

/** Compares the question's submissions now (or joins a run that began while this waited). */
export const runSimilarity = (courseId: string, examId: string, questionId: string): Promise<QuestionSimilarity> =>
  api(`${similarityPath(courseId, examId)}/runs`, { method: 'POST', body: { question_id: questionId } });

/** Records a decision on one pair of the latest run; appended to its history. */
export const reviewPair = (
  courseId: string,
  examId: string,
  questionId: string,
  attempts: [string, string],
  decision: Decision,
  comment: string,
): Promise<PairReview> =>
  api(`${similarityPath(courseId, examId)}/reviews`, {
    method: 'POST',
    body: { question_id: questionId, attempts, decision, comment },
  });

/** Whether `review` is about the pair of attempts `a` and `b`, in either order. */
export const isAbout = (review: PairReview, a: string, b: string): boolean =>
  (review.attempts[0] === a && review.attempts[1] === b) || (review.attempts[0] === b && review.attempts[1] === a);
