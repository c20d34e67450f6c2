/**
 * A student's own exams and attempts (`/api/v1/me/exams`). Every call after
 * the start carries the attempt's secret in `X-Exam-Secret`: it ties the
 * attempt to the browser that started it.
 */
import { api } from './client';

export type MyExamPhase = 'published' | 'open' | 'closed';

export interface Attempt {
  id: string;
  exam_id: string;
  started_at: string;
  deadline_at: string;
  submitted_at: string | null;
}

export interface MyExam {
  id: string;
  title: string;
  opens_at: string;
  closes_at: string;
  duration_minutes: number;
  extra_minutes: number;
  phase: MyExamPhase;
  attempt: Attempt | null;
}

export interface ExamLanding extends MyExam {
  instructions: string;
  require_fullscreen: boolean;
  questions: number;
  server_now: string;
}

export interface VisibleTest {
  visibility: 'visible';
  kind: 'function' | 'io';
  expression: string;
  stdin: string;
  expected: string;
  ignore_trailing_whitespace: boolean;
}

export interface AttemptQuestion {
  id: string;
  title: string;
  prompt: string;
  starter_code: string;
  points: number;
  tests: VisibleTest[];
}

export interface AttemptView {
  attempt: Attempt;
  secret?: string;
  server_now: string;
  title: string;
  instructions: string;
  require_fullscreen: boolean;
  questions: AttemptQuestion[];
  answers: { question_id: string; code: string }[];
  acked_seq: number;
}

/** One entry of the autosave queue: an edit or an integrity event. */
export interface SaveItem {
  seq: number;
  kind: string;
  question_id: string | null;
  client_at: string;
  code?: string;
  data?: unknown;
}

export interface SaveAnswer {
  acked_seq: number;
  late: number;
  refused: number;
  /** The attempt's deadline now: extra time or a moved window changes it. */
  deadline_at: string;
  server_now: string;
}

export interface Receipt {
  attempt_id: string;
  submitted_at: string;
  answers: { question_id: string; title: string; sha256: string }[];
}

const base = (examId: string): string => `/me/exams/${encodeURIComponent(examId)}`;
const secretHeader = (secret: string): Record<string, string> => ({ 'X-Exam-Secret': secret });

export const myExams = (): Promise<MyExam[]> => api('/me/exams');
export const examLanding = (examId: string): Promise<ExamLanding> => api(base(examId));
export const startAttempt = (examId: string): Promise<AttemptView> => api(`${base(examId)}/start`, { method: 'POST' });
export const resumeAttempt = (examId: string, secret: string): Promise<AttemptView> =>
  api(`${base(examId)}/resume`, { method: 'POST', headers: secretHeader(secret) });
export const sendSaves = (examId: string, secret: string, items: SaveItem[]): Promise<SaveAnswer> =>
  api(`${base(examId)}/saves`, { method: 'POST', headers: secretHeader(secret), body: { items } });
export const submitAttempt = (examId: string, secret: string): Promise<Receipt> =>
  api(`${base(examId)}/submit`, { method: 'POST', headers: secretHeader(secret) });
export const fetchReceipt = (examId: string): Promise<Receipt> => api(`${base(examId)}/receipt`);
