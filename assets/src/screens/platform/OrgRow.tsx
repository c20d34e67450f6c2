/** One organization: its facts, an inline rename form, and deactivate (after confirming) or reactivate. */
import { useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { t } from '../../i18n';
import { updateOrg } from '../../api/platform';
import type { Org } from '../../api/types';
import type { ConfirmRequest } from '../../components/ConfirmDialog';
import { DateTime } from '../../components/DateTime';
import { ErrorNotice } from '../../components/ErrorNotice';
import { TextField } from '../../components/Field';
import { useAction } from '../../hooks/useAction';
import { OrgAdmins } from './OrgAdmins';

interface Props {
  org: Org;
  confirm: (request: ConfirmRequest) => Promise<boolean>;
  onChanged: () => void;
}

export function OrgRow({ org, confirm, onChanged }: Props) {
  const [renaming, setRenaming] = useState(false);
  const [showAdmins, setShowAdmins] = useState(false);
  const adminsId = `org-${org.id}-admins`;
  const [name, setName] = useState(org.name);
  const [blank, setBlank] = useState(false);
  const action = useAction();
  const active = org.status === 'active';
  const nameId = `org-${org.id}-name`;

  const rename = async (event: TargetedSubmitEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    setBlank(name.trim() === '');
    if (name.trim() === '') return;
    if (await action.run(async () => { await updateOrg(org.id, { name: name.trim() }); })) {
      setRenaming(false);
      onChanged();
    }
  };

  const toggle = async (): Promise<void> => {
    if (active) {
      const sure = await confirm({
        title: t.platform.deactivateTitle(org.name),
        body: t.platform.deactivateBody,
        action: t.platform.deactivate,
      });
      if (!sure) return;
    }
    const status = active ? 'deactivated' : 'active';
    if (await action.run(async () => { await updateOrg(org.id, { status }); })) onChanged();
  };

  return (
    <>
      <tr data-testid="org-row" data-slug={org.slug}>
        <td><code>{org.slug}</code></td>
        <td id={nameId}>
          {renaming ? (
            <form class="inline-form" noValidate onSubmit={(event) => { void rename(event); }}>
              <TextField
                label={t.platform.renameLabel(org.slug)}
                value={name}
                onValue={setName}
                error={blank ? t.common.required : undefined}
                autoFocus
                testId="org-rename-input"
              />
              <div class="actions">
                <button type="submit" class="button button--small" disabled={action.busy}>{t.common.save}</button>
                <button type="button" class="button button--small button--secondary" onClick={() => { setRenaming(false); setName(org.name); }}>
                  {t.common.cancel}
                </button>
              </div>
            </form>
          ) : (
            org.name
          )}
          <ErrorNotice error={action.error} />
        </td>
        <td>
          <span class={`badge ${active ? 'badge--pass' : 'badge--fail'}`} data-testid="org-status">
            {t.platform.status[org.status]}
          </span>
        </td>
        <td><DateTime iso={org.created_at} /></td>
        <td>
          <div class="row-actions">
            {!renaming && (
              <button type="button" class="button button--small button--secondary" aria-describedby={nameId} onClick={() => { setRenaming(true); }}>
                {t.platform.rename}
              </button>
            )}
            <button
              type="button"
              class={`button button--small ${active ? 'button--danger-secondary' : 'button--secondary'}`}
              aria-describedby={nameId}
              disabled={action.busy}
              data-testid={active ? 'org-deactivate' : 'org-reactivate'}
              onClick={() => { void toggle(); }}
            >
              {active ? t.platform.deactivate : t.platform.reactivate}
            </button>
            <button
              type="button"
              class="button button--small button--secondary"
              aria-describedby={nameId}
              aria-expanded={showAdmins}
              aria-controls={adminsId}
              data-testid="org-admins-toggle"
              onClick={() => { setShowAdmins(!showAdmins); }}
            >
              {t.platform.admins.toggle}
            </button>
          </div>
        </td>
      </tr>
      {showAdmins && (
        <tr id={adminsId}>
          <td colSpan={5}>
            <OrgAdmins org={org} />
          </td>
        </tr>
      )}
    </>
  );
}
