/**
 * Audit entries: when, who, what, to what (a person by name and address,
 * not their id), how it went, from where, and the recorded details: long
 * values shortened in the table, every detail whole on demand.
 */
import { t } from '../../../i18n';
import type { AuditEntry, OrgUser } from '../../../api/types';
import { DateTime } from '../../../components/DateTime';

const text = t.admin.audit;

/** How much of a long value the table shows before "All details". */
const SHORT = 120;

function shortened(value: unknown): { shown: string; cut: boolean } {
  const whole = typeof value === 'string' ? value : JSON.stringify(value);
  return whole.length > SHORT ? { shown: `${whole.slice(0, SHORT)}…`, cut: true } : { shown: whole, cut: false };
}

/** The details object as `key: value` lines, long values shortened, the whole on demand. */
function Details({ details }: { details: unknown }) {
  if (details === null || typeof details !== 'object' || Array.isArray(details)) {
    return details === null || details === undefined ? null : <code>{JSON.stringify(details)}</code>;
  }
  const pairs = Object.entries(details as Record<string, unknown>).map(([key, value]) => [key, shortened(value)] as const);
  if (pairs.length === 0) return null;
  const cut = pairs.some(([, value]) => value.cut);
  return (
    <>
      <dl class="details">
        {pairs.map(([key, value]) => (
          <div key={key}>
            <dt>{key}</dt>
            <dd>{value.shown}</dd>
          </div>
        ))}
      </dl>
      {cut && (
        <details class="details-whole" data-testid="audit-details-whole">
          <summary>{text.fullDetails}</summary>
          <pre>{JSON.stringify(details, null, 2)}</pre>
        </details>
      )}
    </>
  );
}

export function AuditTable({ entries, users = [] }: { entries: AuditEntry[]; users?: OrgUser[] }) {
  const people = new Map(users.map((user) => [user.id, t.common.withDetail(user.display_name, user.email)]));
  return (
    <div class="table-wrap">
      <table class="table table--compact" data-testid="audit-entries">
        <thead>
          <tr>
            <th scope="col">{text.at}</th>
            <th scope="col">{text.who}</th>
            <th scope="col">{text.what}</th>
            <th scope="col">{text.target}</th>
            <th scope="col">{text.outcome}</th>
            <th scope="col">{text.address}</th>
            <th scope="col">{text.details}</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => {
            const person = entry.target === null ? undefined : people.get(entry.target);
            return (
              <tr key={entry.seq} data-testid="audit-row" data-action={entry.action} data-seq={entry.seq}>
                <td class="nowrap"><DateTime iso={entry.at} /></td>
                <td>{entry.actor_label}</td>
                <td><code>{entry.action}</code></td>
                <td class={person === undefined ? 'cell--small cell--id' : 'cell--small'} data-testid="audit-target">
                  {person ?? entry.target ?? ''}
                </td>
                <td data-outcome={entry.outcome}>{text.outcomes[entry.outcome] ?? entry.outcome}</td>
                <td>{entry.client_addr ?? ''}</td>
                <td class="cell--small cell--details"><Details details={entry.details} /></td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
