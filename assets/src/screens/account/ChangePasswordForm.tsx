/** Changing one's own password; the server ends the person's other sessions. */
import { useRef, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { t } from '../../i18n';
import { changePassword } from '../../api/session';
import { focusFirstInvalid, TextField } from '../../components/Field';
import { DoneNotice, ErrorNotice } from '../../components/ErrorNotice';
import { NewPasswordFields, newPasswordErrors } from '../../components/NewPasswordFields';
import { useAction } from '../../hooks/useAction';

type Errors = Partial<Record<'current' | 'password' | 'again', string>>;

export function ChangePasswordForm({ onChanged }: { onChanged: () => void }) {
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const form = useRef<HTMLFormElement>(null);

  const submit = async (event: TargetedSubmitEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    setDone(null);
    const found: Errors = { ...(current === '' ? { current: t.common.required } : {}), ...newPasswordErrors(password, again) };
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstInvalid(form.current);
      return;
    }
    if (await action.run(() => changePassword(current, password))) {
      setCurrent('');
      setPassword('');
      setAgain('');
      setDone(t.account.password.done);
      onChanged();
    }
  };

  return (
    <section class="panel" aria-labelledby="password-heading">
      <h2 id="password-heading">{t.account.password.heading}</h2>
      <form ref={form} class="form--narrow" noValidate onSubmit={(event) => { void submit(event); }} data-testid="password-form">
        <TextField
          label={t.account.password.current}
          type="password"
          autoComplete="current-password"
          value={current}
          onValue={setCurrent}
          error={errors.current}
          testId="current-password"
        />
        <NewPasswordFields
          password={password}
          again={again}
          onPassword={setPassword}
          onAgain={setAgain}
          errors={{ password: errors.password, again: errors.again }}
        />
        <ErrorNotice error={action.error} testId="password-error" />
        <DoneNotice text={done} testId="password-done" />
        <div class="actions">
          <button type="submit" class="button" disabled={action.busy} data-testid="password-submit">
            {action.busy ? t.common.saving : t.account.password.submit}
          </button>
        </div>
      </form>
    </section>
  );
}
