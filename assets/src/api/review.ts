/**
 * One student's attempt as the course's instructors and reviewers read it:
 * their code now, the log of what happened, and the signals worth a look.
 */
import { api } from './client';
import type { StoredReceipt } from './attempts';

const attemptPath = (courseId: string, examId: string, attemptId: string): string =>
  `/courses/${encodeURIComponent(courseId)}/exams/${encodeURIComponent(examId)}/attempts/${encodeURIComponent(attemptId)}`;

export interface AttemptCode {
  user_id: string;
  display_name: string;
  email: string;
  answers: { question_id: string; code: string }[];
}

export interface TimelineItem {
  /** An item of the log, something the server recorded itself, or an incident note. */
  source: 'log' | 'server' | 'note';
  /** The log item's sequence number; `null` for the server's facts and notes. */
  seq: number | null;
  kind: string;
  question_id: string | null;
  /** The browser's estimate: shown, never evidence. */
  client_at: string | null;
  /** When the server received or recorded it. */
  server_at: string;
  applied: boolean | null;
  /** For an edit: the characters it inserted. */
  inserted: number | null;
  /** On the item that ended a stretch away from the exam page: its length in seconds. */
  away_seconds: number | null;
  /** What it recorded. */
  details: Record<string, unknown> | null;
}

export type Severity = 'low' | 'medium' | 'high';

export interface Signal {
  kind: string;
  severity: Severity;
  question_id: string | null;
  /** What was seen, in one sentence. Never a verdict. */
  summary: string;
  evidence: { seq: number; server_at: string; client_at: string }[];
  /** What names it across derivations; decisions refer to it. */
  key: string;
  /** People's decisions on it, newest first. */
  reviews: SignalReview[];
}

export type Decision = 'dismissed' | 'noted' | 'referred';

export interface SignalReview {
  decision: Decision;
  comment: string;
  made_by: string;
  made_by_name: string;
  made_at: string;
}

/** The student and each question's code now (the server records this viewing). */
export const attemptCode = (courseId: string, examId: string, attemptId: string): Promise<AttemptCode> =>
  api(`${attemptPath(courseId, examId, attemptId)}/code`);

export const timeline = (courseId: string, examId: string, attemptId: string): Promise<TimelineItem[]> =>
  api(`${attemptPath(courseId, examId, attemptId)}/timeline`);

export const signals = (courseId: string, examId: string, attemptId: string): Promise<Signal[]> =>
  api(`${attemptPath(courseId, examId, attemptId)}/signals`);

/** Records a decision on one signal; appended to its history, never changing anything else. */
export const reviewSignal = (courseId: string, examId: string, attemptId: string, signal: string, decision: Decision, comment: string): Promise<SignalReview> =>
  api(`${attemptPath(courseId, examId, attemptId)}/signals/reviews`, { method: 'POST', body: { signal, decision, comment } });

/** A decision on a signal or a pair, as a case file lists it. */
export interface CaseDecision {
  decision: Decision;
  comment: string;
  made_by_name: string;
  made_at: string;
}

/** A case file (`examhall-case-file/1`). */
export interface CaseFile {
  format: string;
  notice: string;
  generated_at: string;
  generated_by: string;
  exam: { id: string; title: string };
  student: { id: string; name: string; email: string };
  submissions: StoredReceipt[];
  answers: { question_id: string; title: string; code: string }[];
  signals: Signal[];
  similar_pairs: {
    question_id: string;
    question_title: string;
    other_attempt: string;
    other_student: string;
    score: number;
    fragments: { this: string; other: string }[];
    reviews: CaseDecision[];
  }[];
  timeline: TimelineItem[];
}

/** The attempt's case file (generating it is audited). */
export const caseFile = (courseId: string, examId: string, attemptId: string): Promise<CaseFile> =>
  api(`${attemptPath(courseId, examId, attemptId)}/case-file`);

/** Where the case file's archive downloads from. */
export const caseFileArchive = (courseId: string, examId: string, attemptId: string): string =>
  `/api/v1${attemptPath(courseId, examId, attemptId)}/case-file.tar`;

/** The printable page of the attempt's case file. */
export const caseFilePath = (courseId: string, examId: string, attemptId: string): string =>
  `${attemptPath(courseId, examId, attemptId)}/case-file`;

/** The page of one student's attempt. */
export const studentPath = (courseId: string, examId: string, attemptId: string): string =>
  attemptPath(courseId, examId, attemptId);

/** One question's saved history. */
export interface QuestionReplay {
  question_id: string;
  title: string;
  starter_code: string;
  edits: { seq: number; server_at: string; changes: unknown }[];
  /** Its code in the first submission, if submitted. */
  submitted: string | null;
}

/** What replaying an attempt needs. */
export interface Replay {
  questions: QuestionReplay[];
  /** The log sequence number the first submission was frozen at, if submitted. */
  submitted_at_seq: number | null;
}

export const replay = (courseId: string, examId: string, attemptId: string): Promise<Replay> =>
  api(`${attemptPath(courseId, examId, attemptId)}/replay`);
