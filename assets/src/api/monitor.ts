/**
 * The live monitor of an exam (for its course staff, and for proctors of its
 * sections), and a proctor's list of the exams their sections sit.
 */
import { api } from './client';
import type { Attempt, LateCounts } from './attempts';
import type { Section } from './types';

/** Where one student is, as the server last knew. */
export interface MonitorRow {
  user_id: string;
  section_id: string;
  display_name: string;
  email: string;
  /** Signs in with a candidate link of this exam (its e-mail is not a real one). */
  candidate: boolean;
  extra_minutes: number;
  attempt: Attempt | null;
  /** When the server received the attempt's latest durable change. */
  last_save_at: string | null;
  /** When the server last heard the browser (a save or a heartbeat), since it started. */
  last_contact_at: string | null;
  questions_attempted: number;
  late_items: LateCounts;
  /** Signal counts by severity; `null` until first derived (at most a minute old after). */
  signals: SignalCounts | null;
  /** The latest visible-test run. */
  tests_run: TestsRun | null;
  /** Characters typed per minute, oldest first, the last minute ending at `activity_until`. */
  activity: number[];
  activity_until: string | null;
}

/** Signal counts by severity. */
export interface SignalCounts {
  low: number;
  medium: number;
  high: number;
}

/** The latest visible-test run a student made. */
export interface TestsRun {
  passed: number;
  total: number;
}

/** The whole monitor: what the page shows first, and again after anything it may have missed. */
export interface Monitor {
  exam_id: string;
  title: string;
  closes_at: string;
  duration_minutes: number;
  questions: number;
  /** Each question's id and title, in the exam's order. */
  question_titles: QuestionTitle[];
  /** The sections the caller watches. */
  sections: Section[];
  server_now: string;
  rows: MonitorRow[];
  /** What the caller may do here (the server checks each action again). */
  can: MonitorCan;
}

/** A question as the monitor names it. */
export interface QuestionTitle {
  id: string;
  title: string;
}

/** What a watcher may do on the monitor, by their role and the exam's policy. */
export interface MonitorCan {
  read_code: boolean;
  move_attempts: boolean;
  /** The most extra minutes they may give one student at a time (0: none). */
  extra_minutes: number;
  close: boolean;
  announce: boolean;
  review: boolean;
}

/** An announcement as its watchers see it. */
export interface SentAnnouncement {
  id: string;
  /** `null`: every section of the exam. */
  section_id: string | null;
  body: string;
  made_by_name: string;
  made_at: string;
  /** The caller's students who read it. */
  read_by: string[];
}

/** The exam's announcements the caller watches, newest first. */
export const announcements = (courseId: string, examId: string): Promise<SentAnnouncement[]> =>
  api(`${examPath(courseId, examId)}/announcements`);

/** Sends an announcement to one section, or (`null`, instructors) every section. */
export const announce = (courseId: string, examId: string, sectionId: string | null, body: string): Promise<SentAnnouncement> =>
  api(`${examPath(courseId, examId)}/announcements`, { method: 'POST', body: { section_id: sectionId, body } });

/** An exam one of the caller's sections sits. */
export interface WatchedExam {
  course_id: string;
  course_code: string;
  course_title: string;
  exam_id: string;
  title: string;
  opens_at: string;
  closes_at: string;
  phase: 'draft' | 'published' | 'open' | 'closed';
}

const examPath = (courseId: string, examId: string): string =>
  `/courses/${encodeURIComponent(courseId)}/exams/${encodeURIComponent(examId)}`;

/** The published exams the sections the caller proctors sit. */
export const watching = (): Promise<WatchedExam[]> => api('/me/watching');

/** The monitor now. */
export const monitor = (courseId: string, examId: string): Promise<Monitor> => api(`${examPath(courseId, examId)}/monitor`);

/** Where the monitor's server-sent events are: `snapshot` (a `Monitor`), then `student` (a `MonitorRow`). */
export const monitorEvents = (courseId: string, examId: string): string => `/api/v1${examPath(courseId, examId)}/monitor/events`;

/** The page of the monitor. */
export const monitorPath = (courseId: string, examId: string): string => `${examPath(courseId, examId)}/monitor`;

/** An incident note about a student or a whole section. */
export interface Incident {
  id: string;
  section_id: string;
  /** The student it is about; `null` for the whole section. */
  student_id: string | null;
  student_name: string | null;
  note: string;
  made_by_name: string;
  made_at: string;
}

/** The exam's incident notes about what the caller watches, newest first. */
export const incidents = (courseId: string, examId: string): Promise<Incident[]> => api(`${examPath(courseId, examId)}/incidents`);

/** One student's extra time after a grant: in all, and the part proctors gave. */
export interface ExtraTimeNow {
  minutes: number;
  by_proctors: number;
}

/** Gives one student more minutes, for a reason. */
export const giveExtraTime = (courseId: string, examId: string, userId: string, minutes: number, reason: string): Promise<ExtraTimeNow> =>
  api(`${examPath(courseId, examId)}/students/${encodeURIComponent(userId)}/extra-time`, { method: 'POST', body: { minutes, reason } });

/** Adds an incident note about one student or one whole section. */
export const addIncident = (
  courseId: string,
  examId: string,
  about: { student_id: string } | { section_id: string },
  note: string,
): Promise<Incident> => api(`${examPath(courseId, examId)}/incidents`, { method: 'POST', body: { ...about, note } });
