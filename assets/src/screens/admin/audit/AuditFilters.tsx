/**
 * The audit log's filter: who, which actions (by prefix), which days (from
 * and to, both included, in this browser's time zone), and how many entries
 * per page.
 */
import { useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { t } from '../../../i18n';
import type { AuditFilter, OrgUser } from '../../../api/types';
import { SelectField, TextField } from '../../../components/Field';
import { PersonPicker } from '../../../components/PersonPicker';

const text = t.admin.audit;

/** Midnight at the start of `day` (YYYY-MM-DD) plus `days`, in this browser's time zone, as RFC 3339. */
function startOf(day: string, days: number): string {
  const start = new Date(`${day}T00:00`);
  start.setDate(start.getDate() + days);
  return start.toISOString();
}

/** The day (YYYY-MM-DD, local) of an RFC 3339 time, moved by `days`; '' for none. */
function dayOf(iso: string | undefined, days = 0): string {
  if (iso === undefined) return '';
  const at = new Date(iso);
  at.setDate(at.getDate() + days);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

/** The page sizes offered; the server allows up to 1000. */
export const PAGE_SIZES = [50, 100, 200, 500] as const;

interface Props {
  users: OrgUser[];
  filter: AuditFilter;
  onApply: (filter: AuditFilter) => void;
}

export function AuditFilters({ users, filter, onApply }: Props) {
  const [actor, setActor] = useState(filter.actor ?? '');
  const [action, setAction] = useState(filter.action ?? '');
  const [limit, setLimit] = useState(String(filter.limit ?? PAGE_SIZES[1]));
  const [from, setFrom] = useState(dayOf(filter.from));
  const [to, setTo] = useState(dayOf(filter.to, -1));
  const [error, setError] = useState<string | undefined>(undefined);

  const apply = (event: TargetedSubmitEvent<HTMLFormElement>): void => {
    event.preventDefault();
    const next: AuditFilter = { limit: Number(limit) };
    if (actor !== '') next.actor = actor;
    if (action.trim() !== '') next.action = action.trim();
    if (from !== '' && to !== '' && from > to) {
      setError(text.toBeforeFrom);
      return;
    }
    setError(undefined);
    if (from !== '') next.from = startOf(from, 0);
    if (to !== '') next.to = startOf(to, 1);
    onApply(next);
  };

  return (
    <section class="panel" aria-labelledby="audit-filter-heading">
      <h3 id="audit-filter-heading">{text.filters}</h3>
      <form class="filter-form" noValidate onSubmit={apply} data-testid="audit-filters">
        <PersonPicker label={text.actor} people={users} value={actor} onValue={setActor} none={text.anyone} optional testId="audit-actor" />
        <TextField
          label={text.action}
          hint={text.actionHint}
          value={action}
          onValue={setAction}
          optional
          spellcheck={false}
          autoCapitalize="none"
          testId="audit-action"
        />
        <TextField label={text.from} type="date" value={from} onValue={setFrom} optional testId="audit-from" />
        <TextField label={text.to} type="date" value={to} onValue={setTo} optional error={error} testId="audit-to" />
        <SelectField label={text.limit} value={limit} onValue={setLimit} testId="audit-limit">
          {PAGE_SIZES.map((size) => (
            <option key={size} value={String(size)}>{t.common.count(size)}</option>
          ))}
        </SelectField>
        <div class="actions">
          <button type="submit" class="button" data-testid="audit-apply">{text.apply}</button>
        </div>
      </form>
    </section>
  );
}
