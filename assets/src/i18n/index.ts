/**
 * The catalogue in use. examhall ships English; a translation adds a file
 * next to en.ts and is chosen here. Dates are shown in the reader's own time
 * zone, formatted for the catalogue's language.
 */
import { en } from './en';
import type { Messages } from './messages';

export type { CheckId, CheckText, Messages } from './messages';

export const t: Messages = en;

const dateTimes = new Intl.DateTimeFormat(t.lang, { dateStyle: 'medium', timeStyle: 'short' });

/** An RFC 3339 time from the server as local date and time; the text itself if it does not parse. */
export function formatDateTime(iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : dateTimes.format(at);
}

const times = new Intl.DateTimeFormat(t.lang, { timeStyle: 'medium' });

/** A moment as local time of day, to the second. */
export function formatTime(at: Date): string {
  return times.format(at);
}
