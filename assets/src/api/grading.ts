/**
 * Grading an exam's submissions, for the course's instructors and
 * reviewers: the tests (hidden ones too) and every latest submission with
 * its scores, one submission's answers and stored results, and the results
 * this browser reports as it runs the tests.
 */
import { api } from './client';
import type { ExamTest } from './types';

const gradingPath = (courseId: string, examId: string): string =>
  `/courses/${encodeURIComponent(courseId)}/exams/${encodeURIComponent(examId)}/grading`;

export type Outcome = 'passed' | 'failed' | 'error' | 'timed_out';

/** A test as written, with its place and what names its results. */
export interface GradingTest extends ExamTest {
  position: number;
  /** Names the test's results: a test changed since is graded again. */
  sha256: string;
}

export interface GradingQuestion {
  id: string;
  title: string;
  points: number;
  tests: GradingTest[];
}

export interface QuestionScore {
  question_id: string;
  tests: number;
  graded: number;
  passed: number;
  /** Null until every test of the question has a result. */
  points: number | null;
}

export interface GradingRow {
  submission_id: string;
  attempt_id: string;
  user_id: string;
  name: string;
  email: string;
  submitted_at: string;
  scores: QuestionScore[];
  /** Null until every question has its points. */
  total: number | null;
}

export interface Grading {
  questions: GradingQuestion[];
  submissions: GradingRow[];
  max_points: number;
}

export interface GradingAnswer {
  question_id: string;
  code: string;
}

/** A result as this browser reports it. */
export interface ReportedResult {
  question_id: string;
  test_sha256: string;
  outcome: Outcome;
  expected: string;
  actual: string;
  stdout: string;
  stderr: string;
  duration_ms: number;
}

export interface StoredResult extends ReportedResult {
  code_sha256: string;
  graded_by: string;
  graded_by_name: string;
  recorded_at: string;
}

export interface SubmissionWork {
  submission_id: string;
  attempt_id: string;
  name: string;
  email: string;
  answers: GradingAnswer[];
  /** Every result stored for it, oldest first (results of tests since changed too). */
  results: StoredResult[];
}

/** The tests and every latest submission with its scores so far. */
export const grading = (courseId: string, examId: string): Promise<Grading> => api(gradingPath(courseId, examId));

/** One submission's answers and the results stored for it. */
export const submissionWork = (courseId: string, examId: string, submissionId: string): Promise<SubmissionWork> =>
  api(`${gradingPath(courseId, examId)}/submissions/${encodeURIComponent(submissionId)}`);

/** Stores results of one submission; answers how many were new. */
export const recordResults = (
  courseId: string,
  examId: string,
  submissionId: string,
  results: ReportedResult[],
): Promise<{ stored: number }> =>
  api(`${gradingPath(courseId, examId)}/submissions/${encodeURIComponent(submissionId)}/results`, {
    method: 'POST',
    body: { results },
  });
