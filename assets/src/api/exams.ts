/**
 * A course's exams as its staff see them, and the candidate links an
 * instructor hands out for an exam. The server allows the exam list to the
 * course's instructors and reviewers, and candidate links to instructors.
 */
import { api } from './client';
import type { Candidate, Exam, IssuedCandidate } from './types';

const id = (value: string): string => encodeURIComponent(value);
const examPath = (courseId: string, examId: string): string => `/courses/${id(courseId)}/exams/${id(examId)}`;

export const listExams = (courseId: string): Promise<Exam[]> => api(`/courses/${id(courseId)}/exams`);

export const getExam = (courseId: string, examId: string): Promise<Exam> => api(examPath(courseId, examId));

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
