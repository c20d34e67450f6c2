/**
 * The organization's audit log, newest first: a filter form, the entries,
 * "older" paging by sequence number, and a CSV download with the same filter.
 */
import { useEffect, useState } from 'preact/hooks';
import { t } from '../../../i18n';
import { auditCsvHref, listAudit, listUsers } from '../../../api/org';
import type { AuditEntry, AuditFilter } from '../../../api/types';
import { ErrorNotice } from '../../../components/ErrorNotice';
import { Loading } from '../../../components/Status';
import { useAction } from '../../../hooks/useAction';
import { useLoad } from '../../../hooks/useLoad';
import { AuditFilters, PAGE_SIZES } from './AuditFilters';
import { AuditTable } from './AuditTable';

const text = t.admin.audit;

export function AuditSection() {
  const users = useLoad(listUsers);
  const [filter, setFilter] = useState<AuditFilter>({ limit: PAGE_SIZES[1] });
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  /** Whether the last page was full, so an older one may exist. */
  const [more, setMore] = useState(false);
  const action = useAction();
  const { run } = action;

  useEffect(() => {
    setEntries(null);
    void run(async () => {
      const page = await listAudit(filter);
      setMore(page.length >= (filter.limit ?? PAGE_SIZES[1]));
      setEntries(page);
    });
  }, [filter, run]);

  const older = async (): Promise<void> => {
    const last = entries?.at(-1);
    if (last === undefined) return;
    await run(async () => {
      const page = await listAudit({ ...filter, before: last.seq });
      setMore(page.length >= (filter.limit ?? PAGE_SIZES[1]));
      setEntries((previous) => [...(previous ?? []), ...page]);
    });
  };

  return (
    <>
      <p class="lead">{text.intro}</p>
      <AuditFilters users={users.data ?? []} filter={filter} onApply={setFilter} />
      <section class="panel" aria-labelledby="audit-heading">
        <div class="panel__head">
          <h3 id="audit-heading">{text.caption}</h3>
          <a class="button button--secondary" href={auditCsvHref(filter)} download data-testid="audit-export">
            {text.export}
          </a>
        </div>
        <ErrorNotice error={action.error} testId="audit-error" />
        {entries === null ? (
          action.busy && <Loading />
        ) : entries.length === 0 ? (
          <p class="empty">{text.empty}</p>
        ) : (
          <AuditTable entries={entries} users={users.data ?? []} />
        )}
        {entries !== null && entries.length > 0 && (
          <div class="actions">
            {more ? (
              <button type="button" class="button button--secondary" disabled={action.busy} data-testid="audit-older" onClick={() => { void older(); }}>
                {text.older}
              </button>
            ) : (
              <p class="hint" data-testid="audit-no-older">{text.noOlder}</p>
            )}
          </div>
        )}
      </section>
    </>
  );
}
