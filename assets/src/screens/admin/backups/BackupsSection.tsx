/**
 * The organization's backups: whether they can be made and how, then one
 * row for the whole organization and one per exam, each with its last good
 * backup and its last error, in words (never colour alone).
 */
import { formatDateTime, t } from '../../../i18n';
import { backupStatus, type BackupStatus, type LastBackups } from '../../../api/backups';
import { WhenLoaded } from '../../../components/Status';
import { useLoad } from '../../../hooks/useLoad';

const text = t.admin.backups;

function Good({ runs }: { runs: LastBackups }) {
  if (runs.last_ok === null) return <span data-testid="backup-none">{text.none}</span>;
  const { at, bytes, file, sha256 } = runs.last_ok;
  return (
    <>
      <span data-testid="backup-good">{text.good(formatDateTime(at), text.size(bytes))}</span>
      <br />
      <span class="hint">
        {text.file}: <code title={`SHA-256 ${sha256}`}>{file}</code>
      </span>
    </>
  );
}

function Failure({ runs }: { runs: LastBackups }) {
  if (runs.last_failure === null) return <span>{text.noError}</span>;
  return (
    <span class="notice notice--error" data-testid="backup-error">
      <strong>{text.failed(formatDateTime(runs.last_failure.at))}</strong> {runs.last_failure.error}
    </span>
  );
}

function Table({ status }: { status: BackupStatus }) {
  return (
    <div class="table-wrap">
      <table data-testid="backups-table">
        <caption>{text.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{text.what}</th>
            <th scope="col">{text.lastGood}</th>
            <th scope="col">{text.lastError}</th>
          </tr>
        </thead>
        <tbody>
          <tr data-testid="backup-row" data-kind="organization">
            <th scope="row">{text.wholeOrganization}</th>
            <td><Good runs={status.organization} /></td>
            <td><Failure runs={status.organization} /></td>
          </tr>
          {status.exams.map((exam) => (
            <tr key={exam.exam_id} data-testid="backup-row" data-kind="exam" data-exam={exam.exam_id}>
              <th scope="row">
                {text.exam(exam.course_code, exam.title)}
                <br />
                <span class="hint">{text.closes(formatDateTime(exam.closes_at))}</span>
              </th>
              <td><Good runs={exam} /></td>
              <td><Failure runs={exam} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function BackupsSection() {
  const status = useLoad(backupStatus);
  return (
    <section>
      <p class="lead">{text.intro}</p>
      <WhenLoaded loaded={status}>
        {(loaded) => (
          <>
            {loaded.recipients_configured ? (
              <p data-testid="backups-how">{loaded.automatic ? text.automatic(loaded.nightly_utc_hour) : text.manualOnly}</p>
            ) : (
              <p class="notice notice--info" role="status" data-testid="backups-no-recipients">{text.noRecipients}</p>
            )}
            <Table status={loaded} />
          </>
        )}
      </WhenLoaded>
    </section>
  );
}
