/**
 * Inviting an organization's administrator: the server creates the account
 * and a one-time link, which is shown here to hand over.
 */
import { useRef, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { t } from '../../i18n';
import { inviteOrgAdmin } from '../../api/platform';
import type { IssuedLink, Org } from '../../api/types';
import { blankFields, focusFirstInvalid, SelectField, TextField } from '../../components/Field';
import { ErrorNotice } from '../../components/ErrorNotice';
import { OneTimeLink } from '../../components/OneTimeLink';
import { useAction } from '../../hooks/useAction';

const text = t.platform.invite;
type Errors = Partial<Record<'orgId' | 'email' | 'name', string>>;

export function InviteAdminForm({ orgs }: { orgs: Org[] }) {
  const active = orgs.filter((org) => org.status === 'active');
  const [orgId, setOrgId] = useState('');
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [issued, setIssued] = useState<{ link: IssuedLink; label: string } | null>(null);
  const action = useAction();
  const form = useRef<HTMLFormElement>(null);

  const submit = async (event: TargetedSubmitEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const found: Errors = blankFields({ orgId, email, name });
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstInvalid(form.current);
      return;
    }
    const org = active.find((candidate) => candidate.id === orgId);
    await action.run(async () => {
      setIssued(null);
      const link = await inviteOrgAdmin(orgId, email.trim(), name.trim());
      setIssued({ link, label: text.linkLabel(name.trim(), org?.name ?? '') });
      setEmail('');
      setName('');
    });
  };

  return (
    <section class="panel" aria-labelledby="invite-admin-heading">
      <h2 id="invite-admin-heading">{text.heading}</h2>
      <p>{text.intro}</p>
      {active.length === 0 ? (
        <p class="empty">{text.noOrgs}</p>
      ) : (
        <form ref={form} class="form--narrow" noValidate onSubmit={(event) => { void submit(event); }} data-testid="invite-admin-form">
          <SelectField label={text.org} value={orgId} onValue={setOrgId} error={errors.orgId} testId="invite-org">
            <option value="">{text.chooseOrg}</option>
            {active.map((org) => (
              <option key={org.id} value={org.id}>{t.common.withDetail(org.name, org.slug)}</option>
            ))}
          </SelectField>
          <TextField label={text.email} type="email" value={email} onValue={setEmail} error={errors.email} testId="invite-email" />
          <TextField label={text.name} value={name} onValue={setName} error={errors.name} testId="invite-name" />
          <ErrorNotice error={action.error} testId="invite-error" />
          <div class="actions">
            <button type="submit" class="button" disabled={action.busy} data-testid="invite-submit">
              {text.submit}
            </button>
          </div>
        </form>
      )}
      {issued !== null && (
        <OneTimeLink label={issued.label} link={issued.link.link} expiresAt={issued.link.expires_at} testId="invite-link" />
      )}
    </section>
  );
}
