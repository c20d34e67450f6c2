/** Audit entries: when, who, what, to what, how it went, from where, and the recorded details. */
import { t } from '../../../i18n';
import type { AuditEntry } from '../../../api/types';
import { DateTime } from '../../../components/DateTime';

const text = t.admin.audit;

/** The details object as `key: value` lines; other JSON as it is. */
function Details({ details }: { details: unknown }) {
  if (details === null || typeof details !== 'object' || Array.isArray(details)) {
    return details === null || details === undefined ? null : <code>{JSON.stringify(details)}</code>;
  }
  const pairs = Object.entries(details as Record<string, unknown>);
  if (pairs.length === 0) return null;
  return (
    <dl class="details">
      {pairs.map(([key, value]) => (
        <div key={key}>
          <dt>{key}</dt>
          <dd>{typeof value === 'string' ? value : JSON.stringify(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

export function AuditTable({ entries }: { entries: AuditEntry[] }) {
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
          {entries.map((entry) => (
            <tr key={entry.seq} data-testid="audit-row" data-action={entry.action} data-seq={entry.seq}>
              <td class="nowrap"><DateTime iso={entry.at} /></td>
              <td>{entry.actor_label}</td>
              <td><code>{entry.action}</code></td>
              <td class="cell--small cell--id">{entry.target ?? ''}</td>
              <td data-outcome={entry.outcome}>{text.outcomes[entry.outcome] ?? entry.outcome}</td>
              <td>{entry.client_addr ?? ''}</td>
              <td class="cell--small cell--details"><Details details={entry.details} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
