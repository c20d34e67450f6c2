/**
 * A student's own exams and attempts (`/api/v1/me/exams`). Every call after
 * the start carries the binding's secret in `X-Exam-Secret`: it ties the
 * attempt to one browser at a time (docs/autosave.md).
 */
import { api } from './client';

export type MyExamPhase = 'published' | 'open' | 'closed';

export interface Attempt {
  id: string;
  exam_id: string;
  started_at: string;
  deadline_at: string;
  submitted_at: string | null;
  submit_reason: 'student' | 'deadline' | null;
  /** Staff allowed another browser to take the attempt over. */
  move_allowed: boolean;
}

/** What ties an attempt to this browser (shown once, at start or when the attempt moves here). */
export interface Binding {
  secret: string;
  /** The sequence number of this browser's first item. */
  next_seq: number;
  /** The queue's chain up to the item before, hex. */
  chain: string;
}

/** The course an exam belongs to, as a student sees it. */
export interface ExamCourse {
  code: string;
  title: string;
}

export interface MyExam {
  id: string;
  title: string;
  course: ExamCourse;
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
  binding?: Binding;
  server_now: string;
  title: string;
  instructions: string;
  require_fullscreen: boolean;
  questions: AttemptQuestion[];
  answers: { question_id: string; code: string }[];
  /** Every item up to this sequence number is saved. */
  acked_seq: number;
  /** The queue's chain over them, hex. */
  chain: string;
  /** This browser keeps the attempt's local data until then at most. */
  local_keep_until: string;
}

/** The client's word about its queue: every item up to `seq` is queued, chained to `hash`. */
export interface Commitment {
  seq: number;
  hash: string;
}

/** Items after the deadline, by what became of them. */
export interface LateCounts {
  /** Proven queued before the deadline: kept for the instructor to decide. */
  accepted: number;
  /** Waiting for the rest of what was committed before the deadline. */
  pending: number;
  /** Not proven: kept as evidence only. */
  refused: number;
  /** Accepted, then applied by an instructor into a new submission. */
  applied: number;
}

export interface SaveAnswer {
  /** Every item up to this one is saved into the answers. */
  acked_seq: number;
  /** Every item up to this one has been dealt with (saved, or set aside after the deadline). */
  processed_seq: number;
  phase: 'open' | 'closed';
  late: LateCounts;
  /** The attempt's deadline now: extra time or a moved window changes it. */
  deadline_at: string;
  server_now: string;
}

/** A receipt document (format `examhall-receipt/1`), as stored and served. */
export interface Receipt {
  format: string;
  submission_id: string;
  number: number;
  previous_submission_id: string | null;
  reason: 'student' | 'deadline' | 'late_items' | 'reopened';
  exam: { id: string; title: string };
  student: { id: string; email: string };
  attempt_id: string;
  submitted_at: string;
  log_seq: number;
  answers: { question_id: string; title: string; sha256: string }[];
}

/** A receipt and the SHA-256 of its exact text. */
export interface StoredReceipt {
  receipt: Receipt;
  sha256: string;
}

/** A receipt as its student gets it: signed by the server. */
export interface SignedReceipt extends StoredReceipt {
  /** The server's Ed25519 signature of `examhall-receipt-sha256:<sha256>`, in hex (`null` if it could not sign now). */
  signature: string | null;
  /** The SHA-256 of the server's public key that signed. */
  signing_key: string | null;
}

const base = (examId: string): string => `/me/exams/${encodeURIComponent(examId)}`;

/** An announcement to the student, from the exam's staff. */
export interface ReceivedAnnouncement {
  id: string;
  body: string;
  made_by_name: string;
  made_at: string;
  /** When the student said they read it; `null` until they do. */
  read_at: string | null;
}

/** Where the exam's announcements stream: `announcements` (the whole list) on connecting and after each new one. */
export const announcementEvents = (examId: string): string => `/api/v1${base(examId)}/announcements/events`;

/** Says the student read announcement `id`. */
export const readAnnouncement = (examId: string, id: string): Promise<void> =>
  api(`${base(examId)}/announcements/read`, { method: 'POST', body: { id } });
const secretHeader = (secret: string): Record<string, string> => ({ 'X-Exam-Secret': secret });

export const myExams = (): Promise<MyExam[]> => api('/me/exams');
export const examLanding = (examId: string): Promise<ExamLanding> => api(base(examId));
/** Starts the attempt; with `moveCode` (issued by a proctor), takes it over on this computer. */
export const startAttempt = (examId: string, moveCode?: string): Promise<AttemptView> =>
  api(`${base(examId)}/start`, { method: 'POST', ...(moveCode === undefined ? {} : { body: { move_code: moveCode } }) });
export const resumeAttempt = (examId: string, secret: string): Promise<AttemptView> =>
  api(`${base(examId)}/resume`, { method: 'POST', headers: secretHeader(secret) });
/**
 * Sends queued items as the exact JSON texts they were chained over (`raws`),
 * so the server can reproduce the chain, with the commitment to the whole queue.
 */
export const sendSaves = (examId: string, secret: string, raws: readonly string[], commit: Commitment): Promise<SaveAnswer> =>
  api(`${base(examId)}/saves`, {
    method: 'POST',
    headers: secretHeader(secret),
    raw: { type: 'application/json', content: `{"items":[${raws.join(',')}],"commit":${JSON.stringify(commit)}}` },
  });
/** Hands in the attempt once the server holds every item up to `seq`. */
export const submitAttempt = (examId: string, secret: string, seq: number): Promise<SignedReceipt> =>
  api(`${base(examId)}/submit`, { method: 'POST', headers: secretHeader(secret), body: { seq } });
export const fetchReceipt = (examId: string): Promise<SignedReceipt> => api(`${base(examId)}/receipt`);

/** The code the latest submission holds, question by question: what the receipt file needs after a reload. */
export interface SubmittedCode {
  submission_id: string;
  answers: { question_id: string; code: string }[];
}

/** Only the browser that took the attempt gets it: its binding's secret goes along. */
export const fetchSubmittedCode = (examId: string, secret: string): Promise<SubmittedCode> =>
  api(`${base(examId)}/submission`, { headers: secretHeader(secret) });
