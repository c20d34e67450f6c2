/**
 * What one exam screen hands the next without a request: the attempt just
 * started or moved to this browser, with its binding as stored here (so the
 * exam client does not record a reload, and re-queues work an earlier
 * binding left here), and the receipt just received (so the receipt page
 * shows it even before it could ask again, with what became of changes that
 * arrived after the deadline).
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
