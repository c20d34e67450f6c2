/**
 * What one exam screen hands the next without a request: the attempt just
 * started (so the exam client does not record a reload) and the receipt just
 * received (so the receipt page shows it even before it could ask again).
 */
import type { AttemptView, Receipt } from '../api/attempts';

export const justStarted = new Map<string, AttemptView>();
export const receipts = new Map<string, Receipt>();
