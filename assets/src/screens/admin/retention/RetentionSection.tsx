/**
 * Retention: how long the organization keeps closed exams (the policy),
 * what that policy says is due now and whether a legal hold keeps it, the
 * holds themselves, and what was purged. Every state is said in words,
 * never by colour alone.
 */
import { formatDateTime, t } from '../../../i18n';
import { retentionView, type RetentionView } from '../../../api/retention';
import { WhenLoaded } from '../../../components/Status';
import { useLoad } from '../../../hooks/useLoad';
import { Holds } from './Holds';
import { PolicyForm } from './PolicyForm';

const text = t.admin.retention;

function Due({ view }: { view: RetentionView }) {
  return (
    <section class="panel" aria-labelledby="retention-due-heading">
      <h3 id="retention-due-heading">{text.due.heading}</h3>
      {view.audit_due !== null && (
        <p data-testid="retention-audit-due">
          {text.due.audit(view.audit_due.entries, formatDateTime(view.audit_due.before))}{' '}
          {text.due.goes(view.daily_utc_hour)}
        </p>
      )}
      {view.due.length === 0 ? (
        view.audit_due === null && <p class="empty" data-testid="retention-due-empty">{text.due.empty}</p>
      ) : (
        <div class="table-wrap">
          <table class="table" data-testid="retention-due">
            <caption>{text.due.caption}</caption>
            <thead>
              <tr>
                <th scope="col">{text.exam}</th>
                <th scope="col">{text.due.what}</th>
                <th scope="col">{text.due.closed}</th>
                <th scope="col">{text.due.keptFor}</th>
                <th scope="col">{text.rows}</th>
                <th scope="col">{text.due.status}</th>
              </tr>
            </thead>
            <tbody>
              {view.due.map((due) => (
                <tr
                  key={`${due.exam_id}-${due.kind}`}
                  data-testid="retention-due-row"
                  data-exam={due.exam_id}
                  data-kind={due.kind}
                  data-held={due.held === null ? 'false' : 'true'}
                >
                  <th scope="row">{due.title}</th>
                  <td>{text.kinds[due.kind]}</td>
                  <td>{formatDateTime(due.closed_at)}</td>
                  <td>{text.dayCount(due.days)}</td>
                  <td>{t.common.count(due.rows)}</td>
                  <td data-testid="retention-due-status">
                    {due.held === null ? text.due.goes(view.daily_utc_hour) : text.due.held(due.held)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Purged({ view }: { view: RetentionView }) {
  return (
    <section class="panel" aria-labelledby="retention-purged-heading">
      <h3 id="retention-purged-heading">{text.purged.heading}</h3>
      {view.purged.length === 0 ? (
        <p class="empty" data-testid="retention-purged-empty">{text.purged.empty}</p>
      ) : (
        <div class="table-wrap">
          <table class="table" data-testid="retention-purged">
            <caption>{text.purged.caption}</caption>
            <thead>
              <tr>
                <th scope="col">{text.exam}</th>
                <th scope="col">{text.purged.what}</th>
                <th scope="col">{text.purged.at}</th>
                <th scope="col">{text.rows}</th>
              </tr>
            </thead>
            <tbody>
              {view.purged.map((purge) => (
                <tr
                  key={`${purge.exam_id}-${purge.kind}-${purge.purged_at}`}
                  data-testid="retention-purged-row"
                  data-exam={purge.exam_id}
                  data-kind={purge.kind}
                >
                  <th scope="row">{purge.title}</th>
                  <td>{text.kinds[purge.kind]}</td>
                  <td>{formatDateTime(purge.purged_at)}</td>
                  <td>{t.common.count(purge.rows)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function RetentionSection() {
  const view = useLoad(retentionView);
  return (
    <section>
      <p class="lead">{text.intro}</p>
      <WhenLoaded loaded={view}>
        {(loaded) => (
          <>
            <PolicyForm view={loaded} onSaved={view.reload} />
            <Due view={loaded} />
            <Holds view={loaded} onChanged={view.reload} />
            <Purged view={loaded} />
          </>
        )}
      </WhenLoaded>
    </section>
  );
}
