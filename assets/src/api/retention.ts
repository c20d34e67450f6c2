/**
 * How long the organization keeps closed exams, as its administrator sets
 * it: the policy (integrity evidence and whole exams, each in days after an
 * exam closes or indefinitely), legal holds that keep an exam whatever the
 * policy says, what the policy says is due now, and what was purged.
 * The server refuses a policy below the platform's minimum, or evidence kept
 * longer than its exam, with a 422 whose `detail` says why.
 */
import { api } from './client';

/** What a purge deletes: an exam's integrity evidence, or the whole exam with its evidence. */
export type RetentionKind = 'evidence' | 'exam';

/** A setting of the policy: the two kinds of purge, and the audit log's own. */
export type PolicySetting = RetentionKind | 'audit';

/** The policy: days after an exam closes (audit entries: after each is written), `null` to keep indefinitely. */
export interface RetentionPolicy {
  /** The edit and event log, late items, signal and similarity reviews, incident notes, similarity runs. */
  evidence_days: number | null;
  /** Questions, attempts, answers and submissions, with their evidence. */
  exam_days: number | null;
  /** Audit entries: emptied in place when their time is up (the chain of hashes stays whole). */
  audit_days: number | null;
}

/** Audit entries past their time, emptied by the next purge. */
export interface AuditDue {
  /** Entries written before this go. */
  before: string;
  entries: number;
}

/** Who set the policy last, and when. */
export interface RetentionUpdated {
  by: string;
  at: string;
}

/** An exam on legal hold: nothing of it is purged until the hold is released. */
export interface LegalHold {
  exam_id: string;
  title: string;
  /** The dispute it is kept for. */
  reason: string;
  held_by: string;
  held_at: string;
}

/** A purge the policy calls for now. */
export interface DuePurge {
  exam_id: string;
  title: string;
  kind: RetentionKind;
  closed_at: string;
  /** The policy's days for this kind. */
  days: number;
  /** How many rows it would delete. */
  rows: number;
  /** The reason of the legal hold that keeps it, if one does. */
  held: string | null;
}

/** A purge done. */
export interface DonePurge {
  exam_id: string;
  title: string;
  kind: RetentionKind;
  purged_at: string;
  rows: number;
}

/** A published exam, which can be put on hold. */
export interface HoldableExam {
  exam_id: string;
  title: string;
}

/** `GET /api/v1/org/retention`: read again after each change (which answers 204). */
export interface RetentionView extends RetentionPolicy {
  /** `null` until an administrator sets the policy: everything is kept. */
  updated: RetentionUpdated | null;
  /** The fewest days the platform allows either exam setting. */
  minimum_days: number;
  /** The fewest days the platform allows for audit entries. */
  audit_minimum_days: number;
  /** `null` when no audit entry is past its time. */
  audit_due: AuditDue | null;
  /** The hour (UTC) of the server's daily purge; `null` when IT purges by hand. */
  daily_utc_hour: number | null;
  holds: LegalHold[];
  due: DuePurge[];
  /** Newest first. */
  purged: DonePurge[];
  exams: HoldableExam[];
}

const holdPath = (examId: string): string => `/org/retention/holds/${encodeURIComponent(examId)}`;

export const retentionView = (): Promise<RetentionView> => api('/org/retention');

export const setRetention = (policy: RetentionPolicy): Promise<void> =>
  api('/org/retention', { method: 'PUT', body: policy });

/** Puts the exam on hold; an exam held already keeps its first reason. */
export const holdExam = (examId: string, reason: string): Promise<void> =>
  api(holdPath(examId), { method: 'PUT', body: { reason } });

export const releaseExam = (examId: string): Promise<void> => api(holdPath(examId), { method: 'DELETE' });
