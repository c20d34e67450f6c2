/**
 * An exam's policy: the thresholds its integrity signals are derived with
 * (and its profile's own, for "reset"), and what proctors may do. Course
 * staff and the proctors of the exam's sections read it; only the course's
 * instructors change it (`src/http/routes/policy.rs`). The server checks
 * every number and answers a refusal with a problem whose `detail` says
 * which kind is wrong.
 */
import { api } from './client';
import type { Exam } from './types';

/** How much attention a signal asks for. Never a verdict. */
export type Severity = 'low' | 'medium' | 'high';

/** The kinds of signal, in the order the policy lists them (`src/integrity/signals/thresholds.rs`). */
export const SIGNAL_KINDS = [
  'history_mismatch',
  'second_device',
  'large_paste',
  'sudden_code',
  'typing_burst',
  'time_away',
  'fullscreen_exit',
  'devtools',
  'offline',
] as const;

export type SignalKind = (typeof SIGNAL_KINDS)[number];

/** One kind's setting: raised at `severity` from `at` on. */
export interface Rule<T> {
  severity: Severity;
  at: T;
}

/** Typing faster than `chars_per_second` over at least `over_seconds`. */
export interface Burst {
  chars_per_second: number;
  over_seconds: number;
}

/** Away from the exam `total_seconds` in all, or `longest_seconds` at a stretch. */
export interface Away {
  total_seconds: number;
  longest_seconds: number;
}

/** Every kind's setting; `null` is a kind switched off (never `history_mismatch`). */
export interface Thresholds {
  history_mismatch: Rule<null> | null;
  /** Refusals of another browser. */
  second_device: Rule<number> | null;
  /** Characters in one paste of text not copied or cut in this attempt. */
  large_paste: Rule<number> | null;
  /** Characters appearing in one change with no paste behind them. */
  sudden_code: Rule<number> | null;
  typing_burst: Rule<Burst> | null;
  time_away: Rule<Away> | null;
  /** Fullscreen exits (when the exam asks for fullscreen). */
  fullscreen_exit: Rule<number> | null;
  /** Signs of developer tools. */
  devtools: Rule<number> | null;
  /** Seconds offline at a stretch. */
  offline: Rule<number> | null;
}

/** The policy as the server holds it. */
export interface ExamPolicy {
  profile: Exam['integrity_profile'];
  /** The thresholds in force. */
  thresholds: Thresholds;
  /** The profile's own, which `thresholds` are when not adjusted. */
  profile_thresholds: Thresholds;
  adjusted: boolean;
  proctors_read_code: boolean;
  /** The most extra minutes a proctor may give one student; 0 for none. */
  proctor_extra_minutes: number;
  updated_by_name: string | null;
  updated_at: string | null;
}

/** What an instructor sends: `thresholds: null` goes back to the profile's table. */
export interface PolicyChange {
  thresholds: Thresholds | null;
  proctors_read_code: boolean;
  proctor_extra_minutes: number;
}

/** Every number a threshold takes is from 1 to this. */
export const MAX_SETTING = 100_000;

/** The most extra minutes an instructor may let a proctor give. */
export const MAX_PROCTOR_MINUTES = 600;

const policyPath = (courseId: string, examId: string): string =>
  `/courses/${encodeURIComponent(courseId)}/exams/${encodeURIComponent(examId)}/policy`;

export const getPolicy = (courseId: string, examId: string): Promise<ExamPolicy> => api(policyPath(courseId, examId));

export const setPolicy = (courseId: string, examId: string, change: PolicyChange): Promise<ExamPolicy> =>
  api(policyPath(courseId, examId), { method: 'PUT', body: change });
