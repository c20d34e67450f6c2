/**
 * What one exam screen hands the next without a request: the attempt just
 * started or moved to this browser, with its binding as stored here (so the
 * exam client does not record a reload, and re-queues work an earlier
 * binding left here), and the receipt just received (so the receipt page
 * shows it even before it could ask again, with what became of changes that
 * arrived after the deadline), and the code this page handed in (so the
 * receipt can be downloaded with it: the server gives a student their code
 * back only once results are released). Nothing here outlives the page or
 * the person: signing out forgets it all.
 */
import type { AttemptView, LateCounts, SignedReceipt } from '../api/attempts';
import type { AttemptRecord, QueuedItem } from './store';

export interface Started {
  view: AttemptView;
  record: AttemptRecord;
  leftovers: QueuedItem[];
}

export const justStarted = new Map<string, Started>();
export const receipts = new Map<string, SignedReceipt>();
/** What became of changes that arrived after the deadline, for the receipt page to say. */
export const lateOutcomes = new Map<string, LateCounts>();
/**
 * The code of each question as this page last held it when the attempt was
 * handed in, by attempt id (the receipt names its attempt, so one student's
 * receipt never meets another's code). The receipt page includes a question's
 * code only when its SHA-256 is the one the receipt records.
 */
export const handedInCode = new Map<string, ReadonlyMap<string, string>>();

const SECRET_PREFIX = 'examhall-handed-in-secret:';

/** Keeps the binding's secret of attempt `attemptId` just handed in, for the receipt page after a reload. */
export function rememberHandedInSecret(attemptId: string, secret: string): void {
  try {
    sessionStorage.setItem(SECRET_PREFIX + attemptId, secret);
  } catch {
    // Storage refused (private mode, full): the receipt then holds no code after a reload.
  }
}

/** The secret kept for a handed-in attempt, if this tab still has it. */
export function handedInSecret(attemptId: string): string | null {
  try {
    return sessionStorage.getItem(SECRET_PREFIX + attemptId);
  } catch {
    return null;
  }
}

/** Forgets everything handed over, when the person signs out (a shared exam-hall computer). */
export function forgetHandoffs(): void {
  justStarted.clear();
  receipts.clear();
  lateOutcomes.clear();
  handedInCode.clear();
  try {
    for (const key of Object.keys(sessionStorage)) {
      if (key.startsWith(SECRET_PREFIX)) sessionStorage.removeItem(key);
    }
  } catch {
    // Nothing could be kept either.
  }
}
