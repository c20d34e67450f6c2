/**
 * A course's exams as its staff see them: writing and publishing them,
 * their window, extra time, attempts, and the candidate links an
 * instructor hands out for an exam. The server allows the exam list to the
 * course's instructors and reviewers, and candidate links to instructors.
 */
import { api } from './client';
import type { Attempt, StoredReceipt } from './attempts';
import type { AttemptRow, Candidate, Exam, IssuedCandidate } from './types';

const id = (value: string): string => encodeURIComponent(value);
const examPath = (courseId: string, examId: string): string => `/courses/${id(courseId)}/exams/${id(examId)}`;

export const listExams = (courseId: string): Promise<Exam[]> => api(`/courses/${id(courseId)}/exams`);

export const getExam = (courseId: string, examId: string): Promise<Exam> => api(examPath(courseId, examId));

// Writing an exam (instructors). The server checks every rule (src/domain/exam.rs)
// and answers a refusal with a problem whose `detail` names the field.

/** What the instructor writes: the exam without what the server decides (id, phase, publication). */
export type ExamSpec = Omit<Exam, 'id' | 'course_id' | 'phase' | 'published_at' | 'question_ids'>;

/** What the browser reports after running every test against the model solutions. */
export interface TestReport {
  tests_run: number;
  tests_failed: number;
}


export const createExam = (courseId: string, spec: ExamSpec): Promise<Exam> =>
  api(`/courses/${id(courseId)}/exams`, { method: 'POST', body: spec });

export const updateExam = (courseId: string, examId: string, spec: ExamSpec): Promise<Exam> =>
  api(examPath(courseId, examId), { method: 'PUT', body: spec });

export const duplicateExam = (courseId: string, examId: string): Promise<Exam> =>
  api(`${examPath(courseId, examId)}/duplicate`, { method: 'POST' });

export const publishExam = (courseId: string, examId: string, report: TestReport): Promise<Exam> =>
  api(`${examPath(courseId, examId)}/publish`, { method: 'POST', body: report });

/** Only drafts can be deleted. */
export const deleteExam = (courseId: string, examId: string): Promise<void> =>
  api(examPath(courseId, examId), { method: 'DELETE' });

export const listCandidates = (courseId: string, examId: string): Promise<Candidate[]> =>
  api(`${examPath(courseId, examId)}/candidates`);

/** Where and when new candidate links work: a section of the exam and a validity (RFC 3339). */
export interface CandidateBatch {
  section_id: string;
  valid_from: string;
  valid_until: string;
}

export interface NewCandidate {
  label: string;
  student_number?: string;
}

export const createCandidates = (
  courseId: string,
  examId: string,
  batch: CandidateBatch,
  candidates: NewCandidate[],
): Promise<IssuedCandidate[]> =>
  api(`${examPath(courseId, examId)}/candidates`, { method: 'POST', body: { ...batch, candidates } });

/** Many candidates from CSV text with the header row `name,student_number`. */
export const importCandidates = (
  courseId: string,
  examId: string,
  batch: CandidateBatch,
  csv: string,
): Promise<IssuedCandidate[]> => {
  const query = new URLSearchParams({ ...batch });
  return api(`${examPath(courseId, examId)}/candidates?${query.toString()}`, {
    method: 'POST',
    raw: { type: 'text/csv', content: csv },
  });
};

export const revokeCandidate = (courseId: string, examId: string, candidateId: string): Promise<void> =>
  api(`${examPath(courseId, examId)}/candidates/${id(candidateId)}`, { method: 'DELETE' });

/**
 * A new link for the candidate of link `candidateId`, for the same window: the
 * old link stops working and its browser is signed out; the browser that opens
 * the new link continues the candidate's attempt where it was saved.
 */
export const reissueCandidate = (courseId: string, examId: string, candidateId: string): Promise<IssuedCandidate> =>
  api(`${examPath(courseId, examId)}/candidates/${id(candidateId)}/reissue`, { method: 'POST', body: {} });

/** Closes the exam's window now (close early); running attempts end with it. */
export const closeExam = (courseId: string, examId: string): Promise<Exam> =>
  api(`${examPath(courseId, examId)}/window`, { method: 'POST', body: {} });

/** Moves the exam's closing time to `closesAt` (RFC 3339), later than now to extend it. */
export const extendExam = (courseId: string, examId: string, closesAt: string): Promise<Exam> =>
  api(`${examPath(courseId, examId)}/window`, { method: 'POST', body: { closes_at: closesAt } });

/** Gives each of `userIds` `minutes` of extra time (0 removes it) with a label saying why. */
export const setExtraTime = (
  courseId: string,
  examId: string,
  userIds: string[],
  minutes: number,
  label: string,
): Promise<void> =>
  api(`${examPath(courseId, examId)}/extra-time`, { method: 'PUT', body: { user_ids: userIds, minutes, label } });

/** Every student of the exam's sections with their extra time, attempt and receipt. */
export const listAttempts = (courseId: string, examId: string): Promise<AttemptRow[]> =>
  api(`${examPath(courseId, examId)}/attempts`);

const attemptPath = (courseId: string, examId: string, attemptId: string): string =>
  `${examPath(courseId, examId)}/attempts/${encodeURIComponent(attemptId)}`;

/** A one-time code, shown once, that moves a running attempt to the computer where the student types it. */
export interface MoveCode {
  code: string;
  expires_at: string;
}

/** Issues a move code for the attempt (instructors, and proctors of the student's section). */
export const issueMoveCode = (courseId: string, examId: string, attemptId: string): Promise<MoveCode> =>
  api(`${attemptPath(courseId, examId, attemptId)}/move`, { method: 'POST' });

/** Reopens a submitted attempt for `minutes`, with a reason (instructors). */
export const reopenAttempt = (courseId: string, examId: string, attemptId: string, minutes: number, reason: string): Promise<Attempt> =>
  api(`${attemptPath(courseId, examId, attemptId)}/reopen`, { method: 'POST', body: { minutes, reason } });

/** Applies the changes proven queued before the deadline: a new submission and receipt. */
export const applyLateItems = (courseId: string, examId: string, attemptId: string): Promise<StoredReceipt> =>
  api(`${attemptPath(courseId, examId, attemptId)}/late-items/apply`, { method: 'POST' });
