/**
 * The organization's backups as its administrator sees them: whether they
 * can be made, and per exam the last good one and the last error.
 */
import { api } from './client';

/** A bundle written. */
export interface GoodBackup {
  at: string;
  /** Where it was written, on the server or its off-site share. */
  file: string;
  bytes: number;
  sha256: string;
}

/** A backup that failed, after the last good one. */
export interface FailedBackup {
  at: string;
  error: string;
}

/** The last good backup and the last failure after it. */
export interface LastBackups {
  last_ok: GoodBackup | null;
  last_failure: FailedBackup | null;
}

/** One exam's backups. */
export interface ExamBackups extends LastBackups {
  exam_id: string;
  title: string;
  course_code: string;
  closes_at: string;
}

/** `GET /api/v1/org/backups`. */
export interface BackupStatus {
  /** Whether the backup officers' keys are configured: without them, nothing is written. */
  recipients_configured: boolean;
  /** Whether the server backs up closed exams by itself. */
  automatic: boolean;
  /** The hour (UTC) of the nightly bundle of the whole organization, if there is one. */
  nightly_utc_hour: number | null;
  organization: LastBackups;
  exams: ExamBackups[];
}

export const backupStatus = (): Promise<BackupStatus> => api('/org/backups');
