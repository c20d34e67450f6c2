/**
 * The platform's state: the version, the served certificate and when it
 * expires, each database's size, and the last daily check of every audit
 * log, and the doctor's checks. Each state is said in words (an expiring certificate, a log that is
 * not intact), never by colour alone.
 */
import { formatDateTime, t } from '../../i18n';
import { platformStatus, type AuditCheck } from '../../api/platform';
import { WhenLoaded } from '../../components/Status';
import { DoctorPanel } from './DoctorPanel';
import { useLoad } from '../../hooks/useLoad';

const text = t.platform.statusPanel;

function bytes(count: number): string {
  if (count < 1024 * 1024) return text.kib(Math.max(1, Math.round(count / 1024)));
  return text.mib(Math.round((count / (1024 * 1024)) * 10) / 10);
}

function check(audit: AuditCheck | null): string {
  if (audit === null) return text.notChecked;
  const when = formatDateTime(audit.checked_at);
  return audit.intact ? text.intact(when, audit.entries) : text.broken(when, audit.problem ?? '');
}

export function StatusPanel() {
  const loaded = useLoad(platformStatus);
  return (
    <section class="panel" aria-labelledby="status-heading" data-testid="platform-status">
      <h2 id="status-heading">{text.heading}</h2>
      <WhenLoaded loaded={loaded}>
        {(status) => (
          <>
            <dl class="facts">
              <dt>{text.version}</dt>
              <dd data-testid="status-version">{status.version}</dd>
              <dt>{text.certificate}</dt>
              <dd data-testid="status-certificate">
                {status.certificate === null
                  ? text.certificateUnreadable(status.certificate_error ?? '')
                  : text.certificateValid(formatDateTime(status.certificate.not_after), status.certificate.days_left)}
                {status.certificate !== null && (
                  <span class="cell--small block">{text.fingerprint(status.certificate.fingerprint)}</span>
                )}
              </dd>
              <dt>{text.platformLog}</dt>
              <dd data-testid="status-platform-audit">{check(status.platform_audit)}</dd>
              <dt>{text.platformDb}</dt>
              <dd>{bytes(status.platform_bytes)}</dd>
            </dl>
            <div class="table-wrap">
              <table class="table" data-testid="status-orgs">
                <caption>{text.orgsCaption}</caption>
                <thead>
                  <tr>
                    <th scope="col">{text.org}</th>
                    <th scope="col">{text.size}</th>
                    <th scope="col">{text.auditLog}</th>
                  </tr>
                </thead>
                <tbody>
                  {status.orgs.map((org) => (
                    <tr key={org.id} data-testid="status-org" data-slug={org.slug}>
                      <th scope="row">
                        <code>{org.slug}</code>
                        {!org.active && <span class="cell--small block">{t.platform.status.deactivated}</span>}
                      </th>
                      <td>{bytes(org.bytes)}</td>
                      <td data-testid="status-org-audit">{check(org.audit)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <DoctorPanel initial={status.doctor} />
          </>
        )}
      </WhenLoaded>
    </section>
  );
}
