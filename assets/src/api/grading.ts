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

export interface RubricItem {
  description: string;
  /** Up to two decimals. */
  points: number;
}

/** How a question's points divide: the tests share what the rubric leaves, by weight. */
export interface Scheme {
  /** One per test, in order. */
  test_weights: number[];
  rubric: RubricItem[];
}

export interface GradingQuestion {
  id: string;
  title: string;
  points: number;
  tests: GradingTest[];
  scheme: Scheme;
}

export type Source = 'computed' | 'override';

export interface QuestionScore {
  question_id: string;
  tests: number;
  graded: number;
  passed: number;
  /** The points that count; null until every test has a result and the rubric is marked. */
  points: number | null;
  /** `computed` from tests and rubric, or `override`: a grader's own points. */
  source: Source;
  test_points: number | null;
  rubric_points: number | null;
  /** The second marker's points, when they marked it. */
  second_points: number | null;
  markers_differ: boolean;
  /** The question's scheme still fits it; when not, it computes nothing until set again. */
  scheme_fits: boolean;
  /** The first marker wrote feedback. */
  feedback: boolean;
}

export interface GradingRow {
  submission_id: string;
  /** Null while marking is anonymous (the attempt's pages name the student). */
  attempt_id: string | null;
  /** Null while marking is anonymous. */
  user_id: string | null;
  /** The student's name, or their label while marking is anonymous. */
  name: string;
  /** Null while marking is anonymous. */
  email: string | null;
  /** Null while marking is anonymous. */
  submitted_at: string | null;
  scores: QuestionScore[];
  /** Null until every question has its points. */
  total: number | null;
  /** Integrity signals and similarity pairs of the attempt that stand referred. */
  referred: number;
}

export interface MarkingOptions {
  /** Names hidden from graders until release. */
  anonymous: boolean;
  /** A second grader marks beside the first. */
  second_marker: boolean;
  /** Students see how many hidden tests they passed. */
  hidden_counts: boolean;
}

export interface Release {
  released: boolean;
  made_by: string;
  made_by_name: string;
  made_at: string;
}

export interface Grading {
  questions: GradingQuestion[];
  submissions: GradingRow[];
  max_points: number;
  options: MarkingOptions;
  /** The latest release or withdrawal; null when there never was one. */
  release: Release | null;
  /** Names are hidden from graders now. */
  anonymous: boolean;
  /** The caller is an instructor: they set schemes and options and release. */
  may_release: boolean;
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

export type Marker = 'first' | 'second';

/** A grader's mark of one answer, as given. */
export interface GivenMark {
  question_id: string;
  marker: Marker;
  /** Rubric items awarded (positions); null when the rubric is not marked. */
  rubric: number[] | null;
  /** Points replacing the computed ones; null for none. */
  points: number | null;
  feedback: string;
}

export interface StoredMark extends GivenMark {
  marked_by: string;
  marked_by_name: string;
  marked_at: string;
}

export interface SubmissionWork {
  submission_id: string;
  /** Null while marking is anonymous. */
  attempt_id: string | null;
  name: string;
  /** Null while marking is anonymous. */
  email: string | null;
  answers: GradingAnswer[];
  /** Every result stored for it, oldest first (results of tests since changed too). */
  results: StoredResult[];
  /** Every mark given it, oldest first. */
  marks: StoredMark[];
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

/** Gives one answer a mark: rubric items, points by hand, feedback. */
export const giveMark = (courseId: string, examId: string, submissionId: string, mark: GivenMark): Promise<void> =>
  api(`${gradingPath(courseId, examId)}/submissions/${encodeURIComponent(submissionId)}/marks`, {
    method: 'POST',
    body: mark,
  });

/** Sets how a question's points divide (instructors). */
export const setScheme = (courseId: string, examId: string, questionId: string, scheme: Scheme): Promise<void> =>
  api(`${gradingPath(courseId, examId)}/questions/${encodeURIComponent(questionId)}/scheme`, {
    method: 'PUT',
    body: scheme,
  });

/** Sets the exam's marking options (instructors). */
export const setMarkingOptions = (courseId: string, examId: string, options: MarkingOptions): Promise<void> =>
  api(`${gradingPath(courseId, examId)}/options`, { method: 'PUT', body: options });

/** Releases the results to students (true) or withdraws them (instructors). */
export const setReleased = (courseId: string, examId: string, released: boolean): Promise<void> =>
  api(`${gradingPath(courseId, examId)}/${released ? 'release' : 'withdraw'}`, { method: 'POST' });

export interface RubricLine {
  description: string;
  points: number;
  awarded: boolean;
}

export interface VisibleTestResult {
  position: number;
  kind: 'function' | 'io';
  expression: string;
  stdin: string;
  expected: string;
  /** Null when it was never run. */
  outcome: Outcome | null;
  actual: string;
}

export interface QuestionResult {
  question_id: string;
  title: string;
  max_points: number;
  points: number | null;
  source: Source;
  feedback: string;
  rubric: RubricLine[];
  visible_tests: VisibleTestResult[];
  /** Hidden tests passed, when the instructor shows them. */
  hidden_tests: { passed: number; total: number } | null;
}

/** A student's own results; empty until released. */
export interface StudentResults {
  released: boolean;
  submitted: boolean;
  released_at: string | null;
  total: number | null;
  max_points: number | null;
  questions: QuestionResult[];
}

/** The student's own results of an exam. */
export const myResults = (examId: string): Promise<StudentResults> =>
  api(`/me/exams/${encodeURIComponent(examId)}/results`);
