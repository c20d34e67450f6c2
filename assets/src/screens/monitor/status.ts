/**
 * A student's status on the monitor, worked out from what the server last
 * knew and the server's clock: pure, so that every row and the summary
 * agree, and a test can check each case.
 */
import type { MonitorRow } from '../../api/monitor';
import { t } from '../../i18n';

export type Status = 'not_started' | 'working' | 'idle' | 'disconnected' | 'submitted' | 'submitted_at_deadline';

/** Browsers heartbeat every 15 s; silent for three of them, a browser counts as disconnected (as on the server). */
export const SILENCE_MS = 45_000;
/** Working, but nothing saved for this long: idle. */
export const IDLE_MS = 2 * 60_000;

/** The order statuses are listed and sorted in: who may need help first. */
export const STATUS_ORDER: readonly Status[] = ['disconnected', 'idle', 'working', 'not_started', 'submitted_at_deadline', 'submitted'];

export interface Standing {
  status: Status;
  /** For `idle`: whole minutes since the last save (or the start). */
  idleMinutes: number;
}

/** How staff tell a student apart beside their name: their e-mail, or that they sign in with a link. */
export function contact(row: MonitorRow): string {
  return row.candidate ? t.monitor.candidate : row.email;
}

const at = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

/** Where `row`'s student stands at the server time `now` (milliseconds). */
export function standing(row: MonitorRow, now: number): Standing {
  const attempt = row.attempt;
  if (attempt === null) return { status: 'not_started', idleMinutes: 0 };
  if (attempt.submitted_at !== null) {
    return { status: attempt.submit_reason === 'deadline' ? 'submitted_at_deadline' : 'submitted', idleMinutes: 0 };
  }
  const contact = at(row.last_contact_at);
  if (contact === null || now - contact >= SILENCE_MS) return { status: 'disconnected', idleMinutes: 0 };
  const since = at(row.last_save_at) ?? at(attempt.started_at) ?? now;
  if (now - since >= IDLE_MS) return { status: 'idle', idleMinutes: Math.floor((now - since) / 60_000) };
  return { status: 'working', idleMinutes: 0 };
}

/** Milliseconds left before `row`'s deadline at `now`; `null` before the start. */
export function timeLeft(row: MonitorRow, now: number): number | null {
  if (row.attempt === null) return null;
  return Math.max(0, Date.parse(row.attempt.deadline_at) - now);
}
