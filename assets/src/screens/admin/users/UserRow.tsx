/**
 * One user: facts and roles, their name and address edited in place,
 * disable (after confirming) or enable, a new
 * password link, clearing their sign-in limits (after confirming), and
 * everything held about them for a subject-access request (JSON or CSV),
 * and, for students, erasure (after confirming; recorded until their
 * exams are purged, and cancellable until then).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { formatDateTime, t } from '../../../i18n';
import {
  cancelErasure,
  clearSignInLimits,
  erasePerson,
  issuePasswordReset,
  personalDataHref,
  updateUser,
} from '../../../api/org';
import type { Course, OrgUser } from '../../../api/types';
import type { ConfirmRequest } from '../../../components/ConfirmDialog';
import { DateTime } from '../../../components/DateTime';
import { DoneNotice, ErrorNotice } from '../../../components/ErrorNotice';
import { TextField, blankFields } from '../../../components/Field';
import { useAction } from '../../../hooks/useAction';
import { grantText } from '../scope';
import type { IssuedFor } from './UserTable';

const text = t.admin.users;

interface Props {
  user: OrgUser;
  /** The signed-in administrator, who may not disable themselves. */
  self: boolean;
  courses: Course[];
  confirm: (request: ConfirmRequest) => Promise<boolean>;
  onChanged: () => void;
  onIssued: (issued: IssuedFor) => void;
}

export function UserRow({ user, self, courses, confirm, onChanged, onIssued }: Props) {
  const action = useAction();
  const active = user.status === 'active';
  const nameId = `user-${user.id}-name`;

  const toggle = async (): Promise<void> => {
    if (active) {
      const sure = await confirm({ title: text.disableTitle(user.display_name), body: text.disableBody, action: text.disable });
      if (!sure) return;
    }
    const status = active ? 'disabled' : 'active';
    if (await action.run(async () => { await updateUser(user.id, { status }); })) onChanged();
  };

  const [done, setDone] = useState<string | null>(null);

  const clearLimits = async (): Promise<void> => {
    setDone(null);
    const title = text.clearLimitsTitle(user.display_name);
    if (!(await confirm({ title, body: text.clearLimitsBody, action: text.clearLimits }))) return;
    if (await action.run(() => clearSignInLimits(user.id))) setDone(text.clearLimitsDone(user.display_name));
  };

  const waiting = user.erasure_requested_at !== null;
  const studentOnly = user.roles.length > 0 && user.roles.every((grant) => grant.role === 'student');

  const erase = async (): Promise<void> => {
    setDone(null);
    if (!(await confirm({ title: text.eraseTitle(user.display_name), body: text.eraseBody, action: text.erase }))) return;
    await action.run(async () => {
      const recorded = await erasePerson(user.id);
      const exams = recorded.waits_for.map((exam) =>
        text.eraseWaitsFor(exam.title, formatDateTime(exam.closes_at), exam.held),
      );
      setDone(text.eraseRecorded(recorded.daily_utc_hour, exams.length === 0 ? null : t.common.list(exams)));
      onChanged();
    });
  };

  const cancel = async (): Promise<void> => {
    setDone(null);
    if (await action.run(() => cancelErasure(user.id))) {
      setDone(text.erasureCancelled(user.display_name));
      onChanged();
    }
  };

  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(user.display_name);
  const [email, setEmail] = useState(user.email);
  const [blank, setBlank] = useState<Partial<Record<'name' | 'email', string>>>({});
  const nameCell = useRef<HTMLTableCellElement>(null);
  // The form appears in place of the name: move there, as a person opening it expects.
  useEffect(() => {
    if (editing) nameCell.current?.querySelector('input')?.focus();
  }, [editing]);

  const save = async (event: TargetedSubmitEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const found = blankFields({ name, email });
    setBlank(found);
    if (Object.keys(found).length > 0) return;
    const change: { display_name?: string; email?: string } = {};
    if (name.trim() !== user.display_name) change.display_name = name.trim();
    if (email.trim() !== user.email) change.email = email.trim();
    if (await action.run(async () => { if (Object.keys(change).length > 0) await updateUser(user.id, change); })) {
      setEditing(false);
      setDone(text.edited(name.trim()));
      onChanged();
    }
  };

  const reset = async (): Promise<void> => {
    await action.run(async () => {
      const link = await issuePasswordReset(user.id);
      onIssued({ link, label: text.resetLabel(user.display_name) });
    });
  };

  return (
    <tr data-testid="user-row" data-email={user.email}>
      <td id={nameId} ref={nameCell}>
        {editing ? (
          <form class="inline-form" noValidate onSubmit={(event) => { void save(event); }} data-testid="user-edit-form">
            <TextField label={text.editName} value={name} onValue={setName} error={blank.name} testId="user-edit-name" />
            <TextField label={text.editEmail} type="email" value={email} onValue={setEmail} error={blank.email} spellcheck={false} testId="user-edit-email" />
            <p class="hint">{text.editEmailHint}</p>
            <div class="actions">
              <button type="submit" class="button button--small" disabled={action.busy} data-testid="user-edit-save">{t.common.save}</button>
              <button
                type="button"
                class="button button--small button--secondary"
                onClick={() => { setEditing(false); setName(user.display_name); setEmail(user.email); setBlank({}); }}
              >
                {t.common.cancel}
              </button>
            </div>
          </form>
        ) : (
          user.display_name
        )}
      </td>
      <td>{editing ? '' : user.email}</td>
      <td>{user.student_number ?? ''}</td>
      <td>
        <span class={`badge ${active ? 'badge--pass' : 'badge--fail'}`} data-testid="user-status">{text.statusText[user.status]}</span>
        {!user.has_password && <span class="cell--small block">{text.noPassword}</span>}
        {waiting && (
          <span class="badge badge--info block" data-testid="user-erasure-requested">{text.erasureRequested}</span>
        )}
      </td>
      <td class="cell--small">{t.common.list(user.roles.map((grant) => grantText(grant, courses)))}</td>
      <td><DateTime iso={user.last_sign_in_at} /></td>
      <td>
        <div class="row-actions">
          {!editing && (
            <button
              type="button"
              class="button button--small button--secondary"
              aria-describedby={nameId}
              data-testid="user-edit"
              onClick={() => { setEditing(true); setDone(null); }}
            >
              {text.edit}
            </button>
          )}
          {!self && (
            <button
              type="button"
              class={`button button--small ${active ? 'button--danger-secondary' : 'button--secondary'}`}
              aria-describedby={nameId}
              disabled={action.busy}
              data-testid={active ? 'user-disable' : 'user-enable'}
              onClick={() => { void toggle(); }}
            >
              {active ? text.disable : text.enable}
            </button>
          )}
          <button
            type="button"
            class="button button--small button--secondary"
            aria-describedby={nameId}
            disabled={action.busy || !active}
            data-testid="user-reset"
            onClick={() => { void reset(); }}
          >
            {text.resetLink}
          </button>
          <button
            type="button"
            class="button button--small button--secondary"
            aria-describedby={nameId}
            disabled={action.busy}
            data-testid="user-clear-limits"
            onClick={() => { void clearLimits(); }}
          >
            {text.clearLimits}
          </button>
          {(['json', 'csv'] as const).map((format) => (
            <a
              key={format}
              class="button button--small button--secondary"
              href={personalDataHref(user.id, format)}
              download
              aria-describedby={nameId}
              title={text.exportHint}
              data-testid={`user-export-${format}`}
            >
              {format === 'json' ? text.exportJson : text.exportCsv}
            </a>
          ))}
          {studentOnly && !self && !waiting && (
            <button
              type="button"
              class="button button--small button--danger-secondary"
              aria-describedby={nameId}
              disabled={action.busy}
              data-testid="user-erase"
              onClick={() => { void erase(); }}
            >
              {text.erase}
            </button>
          )}
          {waiting && (
            <button
              type="button"
              class="button button--small button--secondary"
              aria-describedby={nameId}
              disabled={action.busy}
              data-testid="user-erase-cancel"
              onClick={() => { void cancel(); }}
            >
              {text.cancelErasure}
            </button>
          )}
        </div>
        <ErrorNotice error={action.error} />
        <DoneNotice text={done} testId="user-done" />
      </td>
    </tr>
  );
}
