/**
 * The wire types of the identity and access API, exactly as the server sends
 * them (snake_case, RFC 3339 times). Screens format them; nothing here does.
 */
import type { LateCounts, Receipt } from './attempts';

export type Role = 'org_admin' | 'instructor' | 'reviewer' | 'proctor' | 'student';

/** One role held by one user, with its scope: the org, a course or a section. */
export interface Grant {
  id: string;
  user_id: string;
  role: Role;
  course_id: string | null;
  section_id: string | null;
}

export interface SessionView {
  user: { id: string; email: string; display_name: string };
  realm: 'platform' | 'org';
  org: { id: string; slug: string; name: string } | null;
  roles: Grant[];
  csrf_token: string;
  /** For a candidate (signed in with a candidate link), the one exam their account exists for. */
  candidate_of: string | null;
}

export interface SessionItem {
  id: string;
  created_at: string;
  last_seen_at: string;
  client_addr: string | null;
  user_agent: string | null;
  current: boolean;
}

export type LinkPurpose = 'setup' | 'invitation' | 'password_reset';

export interface LinkView {
  purpose: LinkPurpose;
  email: string | null;
  org: { slug: string; name: string } | null;
  expires_at: string;
}

/** A one-time link just issued: the path (`/link/<token>`) and when it stops working. */
export interface IssuedLink {
  link: string;
  expires_at: string;
}

export interface Org {
  id: string;
  slug: string;
  name: string;
  status: 'active' | 'deactivated';
  created_at: string;
}

export interface OrgUser {
  id: string;
  email: string;
  display_name: string;
  student_number: string | null;
  status: 'active' | 'disabled';
  has_password: boolean;
  created_at: string;
  last_sign_in_at: string | null;
  roles: Grant[];
  /** When an administrator asked to erase them, while the request waits for the purge. */
  erasure_requested_at: string | null;
}

export interface Section {
  id: string;
  course_id: string;
  name: string;
}

export interface Course {
  id: string;
  code: string;
  title: string;
  sections: Section[];
}

export type RosterAction = 'create' | 'update' | 'unchanged' | 'error';

export interface RosterRow {
  line: number;
  student_number: string;
  name: string;
  email: string;
  course: string;
  section: string;
  action: RosterAction;
  errors: string[];
  /** For an update, what it changes, in words. */
  changes: string[];
}

export interface RosterReport {
  rows: RosterRow[];
  creates: number;
  updates: number;
  unchanged: number;
  errors: number;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  actor_label: string;
  action: string;
  target: string | null;
  outcome: string;
  client_addr: string | null;
  details: unknown;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  /** Only entries at or after this time (RFC 3339). */
  from?: string;
  /** Only entries before this time (RFC 3339). */
  to?: string;
  limit?: number;
  before?: number;
}

/** A course as its member sees it: their roles there and the sections they may see. */
export interface MyCourse {
  id: string;
  code: string;
  title: string;
  roles: Role[];
  sections: { id: string; name: string }[];
}

export type ExamPhase = 'draft' | 'published' | 'open' | 'closed';

/** One test of a question (as the instructor wrote it). */
export interface ExamTest {
  visibility: 'visible' | 'hidden';
  kind: 'function' | 'io';
  expression: string;
  stdin: string;
  expected: string;
  ignore_trailing_whitespace: boolean;
}

export interface ExamQuestion {
  /**
   * The question's id; absent on a question not saved yet. Sent back on
   * every edit, so the question keeps it and students' work stays attached.
   */
  id?: string;
  title: string;
  prompt: string;
  starter_code: string;
  model_solution: string;
  points: number;
  tests: ExamTest[];
}

/** An exam as the staff of its course see it. */
export interface Exam {
  id: string;
  course_id: string;
  phase: ExamPhase;
  published_at: string | null;
  title: string;
  instructions: string;
  opens_at: string;
  closes_at: string;
  duration_minutes: number;
  late_policy: 'accept_queued' | 'refuse';
  integrity_profile: 'lenient' | 'standard' | 'strict';
  require_fullscreen: boolean;
  section_ids: string[];
  questions: ExamQuestion[];
  question_ids: string[];
}

/** `replaced`: a newer link was issued for the same candidate (see `reissueCandidate`). */
export type CandidateStatus = 'active' | 'redeemed' | 'revoked' | 'replaced' | 'expired';

/** A candidate link of an exam, as its list shows it (the link itself is never shown again). */
export interface Candidate {
  id: string;
  label: string;
  student_number: string | null;
  section_id: string;
  valid_from: string;
  valid_until: string;
  status: CandidateStatus;
  redeemed_at: string | null;
  created_at: string;
}

/** A candidate link just created: the path (`/candidate/<token>`) is shown this once. */
export interface IssuedCandidate {
  id: string;
  label: string;
  student_number: string | null;
  link: string;
  valid_from: string;
  valid_until: string;
}

/** What a candidate link opens, as the candidate sees it before starting. */
export interface CandidateLinkView {
  exam_id: string;
  exam_title: string;
  label: string;
  valid_from: string;
  valid_until: string;
}

/** How an attempt ended: the student pressed Submit, or the server submitted it at the deadline. */
export type SubmitReason = 'student' | 'deadline';

/** One student of an exam's sections as its staff see them: extra time, attempt and receipt. */
export interface AttemptRow {
  user_id: string;
  /** The section in which the student takes the exam. */
  section_id: string;
  email: string;
  display_name: string;
  /** Signs in with a candidate link of this exam (its e-mail is not a real one). */
  candidate: boolean;
  extra_minutes: number;
  /** Why the extra time was given, e.g. "25% extra"; empty when none. */
  extra_label: string;
  /** Changes that reached the server after the deadline, by what became of them. */
  late_items: LateCounts;
  attempt: {
    id: string;
    exam_id: string;
    started_at: string;
    deadline_at: string;
    submitted_at: string | null;
    submit_reason: SubmitReason | null;
    /** Staff allowed another computer to take the attempt over. */
    move_allowed: boolean;
  } | null;
  /** Once submitted: the same receipt the student got (the latest submission's). */
  receipt: Receipt | null;
  /** The SHA-256 of that receipt's exact text. */
  receipt_sha256: string | null;
}
