/** Every role granted in the organization, grouped by role, each revocable after confirming. */
import { t } from '../../../i18n';
import { revokeGrant } from '../../../api/org';
import type { Course, Grant, OrgUser, Role } from '../../../api/types';
import { ConfirmedActionButton, useConfirmedAction } from '../../../components/ConfirmedAction';
import { ErrorNotice } from '../../../components/ErrorNotice';
import { useSession } from '../../../session/SessionProvider';
import { scopeText } from '../scope';

const text = t.admin.roles;
const rank: Record<Role, number> = { org_admin: 0, instructor: 1, reviewer: 2, proctor: 3, student: 4 };

interface Props {
  grants: Grant[];
  users: OrgUser[];
  courses: Course[];
  onChanged: () => void;
}

export function GrantTable({ grants, users, courses, onChanged }: Props) {
  const selfId = useSession().view?.user.id;
  /** An administrator cannot take away their own administration here; another administrator can. */
  const revocable = (grant: Grant): boolean => !(grant.role === 'org_admin' && grant.user_id === selfId);
  const revoking = useConfirmedAction();
  const people = new Map(users.map((user) => [user.id, user]));
  const nameOf = (grant: Grant): string => people.get(grant.user_id)?.display_name ?? t.common.unknown;
  const sorted = [...grants].sort((a, b) => rank[a.role] - rank[b.role] || nameOf(a).localeCompare(nameOf(b)));

  const revoke = async (grant: Grant): Promise<void> => {
    const request = { title: text.revokeTitle(t.roles[grant.role], nameOf(grant)), body: text.revokeBody, action: text.revoke };
    if (await revoking.run(request, () => revokeGrant(grant.id))) onChanged();
  };

  return (
    <section class="panel" aria-labelledby="grants-heading">
      <h3 id="grants-heading">{text.caption}</h3>
      <ErrorNotice error={revoking.error} testId="revoke-error" />
      {grants.length === 0 ? (
        <p class="empty">{text.empty}</p>
      ) : (
        <div class="table-wrap">
          <table class="table" data-testid="grants">
            <thead>
              <tr>
                <th scope="col">{text.person}</th>
                <th scope="col">{text.role}</th>
                <th scope="col">{text.scope}</th>
                <th scope="col">{text.actions}</th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((grant) => (
                <tr key={grant.id} data-testid="grant-row" data-email={people.get(grant.user_id)?.email} data-role={grant.role}>
                  <th scope="row" id={`grant-${grant.id}`}>{nameOf(grant)}</th>
                  <td>{t.roles[grant.role]}</td>
                  <td>{scopeText(grant, courses)}</td>
                  <td>
                    {revocable(grant) && (
                      <ConfirmedActionButton action={revoking} danger describedBy={`grant-${grant.id}`} testId="grant-revoke" onClick={() => revoke(grant)}>
                        {text.revoke}
                      </ConfirmedActionButton>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {revoking.dialog}
    </section>
  );
}
