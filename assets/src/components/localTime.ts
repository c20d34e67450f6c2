/**
 * Times in `<input type="datetime-local">`: the control shows and returns the
 * reader's local time as `YYYY-MM-DDTHH:mm`, the server speaks RFC 3339 in
 * UTC. These convert between the two, to the minute the control works in.
 */

const pad = (value: number): string => String(value).padStart(2, '0');

/** An RFC 3339 time as the control's value: local time, to the minute (seconds are dropped, as when shown). */
export function toLocalInput(iso: string): string {
  const rounded = new Date(iso);
  if (Number.isNaN(rounded.getTime())) return '';
  return (
    `${String(rounded.getFullYear())}-${pad(rounded.getMonth() + 1)}-${pad(rounded.getDate())}` +
    `T${pad(rounded.getHours())}:${pad(rounded.getMinutes())}`
  );
}

/** The control's value (local time) as RFC 3339 in UTC, or null when it is empty or not a time. */
export function fromLocalInput(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value)) return null;
  // A date-time without an offset is local time (ECMA-262 Date Time String Format).
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) return null;
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
