/**
 * An organization's administrators, under its row: who they are, whether
 * they have chosen a password and signed in, whether a link of theirs still
 * works, and "Issue a new link" for one who lost theirs (an invitation, or
 * a password reset once they have a password). Every state is said in
 * words.
 */
import { useState } from 'preact/hooks';
import { formatDateTime, t } from '../../i18n';
import { listOrgAdmins, reissueAdminLink, type OrgAdmin } from '../../api/platform';
import type { IssuedLink, Org } from '../../api/types';
import { ErrorNotice } from '../../components/ErrorNotice';
import { OneTimeLink } from '../../components/OneTimeLink';
import { WhenLoaded } from '../../components/Status';
import { useAction } from '../../hooks/useAction';
import { useLoad } from '../../hooks/useLoad';

const text = t.platform.admins;

function state(admin: OrgAdmin): string {
  if (admin.status === 'disabled') return text.disabled;
  if (!admin.has_password) {
    return admin.link_expires_at === null ? text.invitationExpired : text.invited(formatDateTime(admin.link_expires_at));
  }
  return admin.last_sign_in_at === null ? text.neverSignedIn : text.signedIn(formatDateTime(admin.last_sign_in_at));
}

function AdminRow({ org, admin, onIssued }: { org: Org; admin: OrgAdmin; onIssued: (issued: Issued) => void }) {
  const action = useAction();
  const nameId = `org-admin-${admin.user_id}`;
  const issue = async (): Promise<void> => {
    await action.run(async () => {
      const link = await reissueAdminLink(org.id, admin.user_id);
      onIssued({ link, label: text.linkLabel(admin.display_name, org.name) });
    });
  };
  return (
    <li data-testid="org-admin" data-email={admin.email}>
      <span id={nameId}>{t.common.withDetail(admin.display_name, admin.email)}</span>
      {': '}
      <span data-testid="org-admin-state">{state(admin)}</span>{' '}
      <button
        type="button"
        class="button button--small button--secondary"
        aria-describedby={nameId}
        disabled={action.busy || admin.status === 'disabled'}
        data-testid="org-admin-reissue"
        onClick={() => { void issue(); }}
      >
        {admin.has_password ? text.reset : text.reissue}
      </button>
      <ErrorNotice error={action.error} />
    </li>
  );
}

interface Issued {
  link: IssuedLink;
  label: string;
}

export function OrgAdmins({ org }: { org: Org }) {
  const loaded = useLoad(() => listOrgAdmins(org.id));
  const [issued, setIssued] = useState<Issued | null>(null);
  return (
    <div class="org-admins" data-testid="org-admins">
      <h3>{text.heading(org.name)}</h3>
      <WhenLoaded loaded={loaded}>
        {(admins) =>
          admins.length === 0 ? (
            <p class="empty">{text.none}</p>
          ) : (
            <ul class="org-admins__list">
              {admins.map((admin) => (
                <AdminRow
                  key={admin.user_id}
                  org={org}
                  admin={admin}
                  onIssued={(next) => { setIssued(next); loaded.reload(); }}
                />
              ))}
            </ul>
          )
        }
      </WhenLoaded>
      {issued !== null && (
        <OneTimeLink label={issued.label} link={issued.link.link} expiresAt={issued.link.expires_at} testId="org-admin-link" />
      )}
    </div>
  );
}
