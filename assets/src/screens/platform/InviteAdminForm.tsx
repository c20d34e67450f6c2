/**
 * Inviting an organization's administrator: the server creates the account
 * and a one-time link, which is shown here to hand over.
 */
import { useState } from 'preact/hooks';
import { t } from '../../i18n';
import { inviteOrgAdmin } from '../../api/platform';
import type { Org } from '../../api/types';
import { SelectField, TextField } from '../../components/Field';
import { IssueLinkForm, useLinkIssuer } from '../../components/IssueLinkForm';
import { OneTimeLink } from '../../components/OneTimeLink';

const text = t.platform.invite;

export function InviteAdminForm({ orgs }: { orgs: Org[] }) {
  const active = orgs.filter((org) => org.status === 'active');
  const [orgId, setOrgId] = useState('');
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const issuer = useLinkIssuer<'orgId' | 'email' | 'name'>();
  const { errors, issued } = issuer;

  const submit = (): Promise<void> =>
    issuer.submit({ orgId, email, name }, async () => {
      const org = active.find((candidate) => candidate.id === orgId);
      const link = await inviteOrgAdmin(orgId, email.trim(), name.trim());
      setEmail('');
      setName('');
      return { link, label: text.linkLabel(name.trim(), org?.name ?? '') };
    });

  return (
    <section class="panel" aria-labelledby="invite-admin-heading">
      <h2 id="invite-admin-heading">{text.heading}</h2>
      <p>{text.intro}</p>
      {active.length === 0 ? (
        <p class="empty">{text.noOrgs}</p>
      ) : (
        <IssueLinkForm
          issuer={issuer}
          onSubmit={submit}
          submitLabel={text.submit}
          testIds={{ form: 'invite-admin-form', error: 'invite-error', submit: 'invite-submit' }}
        >
          <SelectField label={text.org} value={orgId} onValue={setOrgId} error={errors.orgId} testId="invite-org">
            <option value="">{text.chooseOrg}</option>
            {active.map((org) => (
              <option key={org.id} value={org.id}>{t.common.withDetail(org.name, org.slug)}</option>
            ))}
          </SelectField>
          <TextField label={text.email} type="email" value={email} onValue={setEmail} error={errors.email} testId="invite-email" />
          <TextField label={text.name} value={name} onValue={setName} error={errors.name} testId="invite-name" />
        </IssueLinkForm>
      )}
      {issued !== null && (
        <OneTimeLink label={issued.label} link={issued.link.link} expiresAt={issued.link.expires_at} testId="invite-link" />
      )}
    </section>
  );
}
