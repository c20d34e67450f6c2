/** A server time (RFC 3339, UTC) shown in the reader's local time. */
import { formatDateTime, t } from '../i18n';

export function DateTime({ iso }: { iso: string | null }) {
  if (iso === null) return <>{t.common.never}</>;
  return <time dateTime={iso}>{formatDateTime(iso)}</time>;
}
