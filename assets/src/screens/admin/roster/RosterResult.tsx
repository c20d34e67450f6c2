/** What a roster check or import did: the counts in one sentence, then every row with its problems. */
import { t } from '../../../i18n';
import type { RosterAction, RosterReport } from '../../../api/types';

const text = t.admin.roster;

const badge: Record<RosterAction, string> = {
  create: 'badge--info',
  update: 'badge--info',
  unchanged: 'badge--neutral',
  error: 'badge--fail',
};

function summary(kind: 'preview' | 'import', report: RosterReport): string {
  return kind === 'preview'
    ? text.previewSummary(report.creates, report.updates, report.unchanged, report.errors)
    : text.importSummary(report.creates, report.updates, report.unchanged);
}

export function RosterResult({ kind, report }: { kind: 'preview' | 'import'; report: RosterReport }) {
  return (
    <section class="panel" aria-labelledby="roster-result-heading">
      <h3 id="roster-result-heading">{kind === 'preview' ? text.previewHeading : text.importHeading}</h3>
      <p
        class={`summary ${report.errors > 0 ? 'summary--fail' : 'summary--pass'}`}
        role="status"
        data-testid="roster-summary"
        data-kind={kind}
        data-creates={report.creates}
        data-updates={report.updates}
        data-unchanged={report.unchanged}
        data-errors={report.errors}
      >
        {summary(kind, report)}
      </p>
      {kind === 'preview' && report.errors > 0 && <p>{text.fixErrors}</p>}
      {kind === 'preview' && report.errors === 0 && report.creates + report.updates === 0 && <p>{text.nothingToChange}</p>}
      <div class="table-wrap">
        <table class="table table--compact" data-testid="roster-rows">
          <caption class="visually-hidden">{text.caption}</caption>
          <thead>
            <tr>
              <th scope="col">{text.line}</th>
              <th scope="col">{text.studentNumber}</th>
              <th scope="col">{text.name}</th>
              <th scope="col">{text.email}</th>
              <th scope="col">{text.course}</th>
              <th scope="col">{text.section}</th>
              <th scope="col">{text.result}</th>
              <th scope="col">{text.problemsOrChanges}</th>
            </tr>
          </thead>
          <tbody>
            {report.rows.map((row) => (
              <tr key={row.line} data-testid="roster-row" data-action={row.action} class={row.action === 'error' ? 'row--error' : undefined}>
                <td>{row.line}</td>
                <td>{row.student_number}</td>
                <td>{row.name}</td>
                <td>{row.email}</td>
                <td>{row.course}</td>
                <td>{row.section}</td>
                <td><span class={`badge ${badge[row.action]}`}>{text.action[row.action]}</span></td>
                <td>
                  {row.errors.length > 0 && (
                    <ul class="row-errors">
                      {row.errors.map((error) => <li key={error}>{error}</li>)}
                    </ul>
                  )}
                  {row.changes.length > 0 && (
                    <ul class="row-changes" data-testid="roster-changes">
                      {row.changes.map((change) => <li key={change}>{change}</li>)}
                    </ul>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
