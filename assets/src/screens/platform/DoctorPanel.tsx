/**
 * The doctor's checks as the server last ran them (daily, or when a
 * platform admin asks here): each check's result in words (PASS, WARN,
 * FAIL), what was found and what to do. The same checks as `examhall
 * doctor` on the command line, made by the server's own user.
 */
import { useState } from 'preact/hooks';
import { formatDateTime, t } from '../../i18n';
import { runDoctor, type CheckStatus, type DoctorReport } from '../../api/platform';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useAction } from '../../hooks/useAction';

const text = t.platform.doctor;

const LABEL: Record<CheckStatus, string> = { pass: text.pass, warn: text.warn, fail: text.fail };

interface Props {
  /** The report the status page loaded; null before the server's first run. */
  initial: DoctorReport | null;
}

export function DoctorPanel({ initial }: Props) {
  const [report, setReport] = useState(initial);
  const running = useAction();
  const count = (status: CheckStatus) => report?.checks.filter((c) => c.status === status).length ?? 0;

  const run = () => running.run(async () => { setReport(await runDoctor()); });

  return (
    <section aria-labelledby="doctor-heading" data-testid="doctor">
      <h3 id="doctor-heading">{text.heading}</h3>
      <p aria-live="polite" data-testid="doctor-summary">
        {running.busy
          ? text.running
          : report === null
            ? text.never
            : text.summary(formatDateTime(report.ran_at), count('pass'), count('warn'), count('fail'))}
      </p>
      <ErrorNotice error={running.error} testId="doctor-error" />
      <div class="actions">
        <button type="button" class="button button--secondary" disabled={running.busy} onClick={() => { void run(); }} data-testid="doctor-run">
          {text.run}
        </button>
      </div>
      {report !== null && (
        <div class="table-wrap">
          <table class="table" data-testid="doctor-checks">
            <caption>{text.caption}</caption>
            <thead>
              <tr>
                <th scope="col">{text.check}</th>
                <th scope="col">{text.result}</th>
                <th scope="col">{text.found}</th>
              </tr>
            </thead>
            <tbody>
              {report.checks.map((check) => (
                <tr key={check.name} data-testid="doctor-check" data-status={check.status}>
                  <th scope="row">{check.name}</th>
                  <td>
                    <strong class={`result-word result-word--${check.status}`}>{LABEL[check.status]}</strong>
                  </td>
                  <td>
                    {check.detail}
                    {check.fix !== null && <span class="cell--small block">{text.fix(check.fix)}</span>}
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
