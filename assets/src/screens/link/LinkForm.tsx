/** The form of a one-time link: a new password typed twice, plus e-mail and name for set-up. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { formatDateTime, t } from '../../i18n';
import { redeemLink } from '../../api/session';
import type { LinkView } from '../../api/types';
import { blankFields, focusFirstInvalid, TextField } from '../../components/Field';
import { ErrorNotice } from '../../components/ErrorNotice';
import { NewPasswordFields, newPasswordErrors } from '../../components/NewPasswordFields';
import { isNotFound } from '../../components/problem';
import { useAction } from '../../hooks/useAction';

interface Props {
  token: string;
  link: LinkView;
  /** Called with the account's e-mail address once the password is set. */
  onDone: (email: string) => void;
  /** Called when the link stopped working while the form was open. */
  onGone: () => void;
}

type Errors = Partial<Record<'email' | 'displayName' | 'password' | 'again', string>>;

function intro(link: LinkView): string {
  switch (link.purpose) {
    case 'setup':
      return t.link.intro.setup;
    case 'invitation':
      return t.link.intro.invitation(link.org?.name);
    case 'password_reset':
      return t.link.intro.password_reset;
  }
}

export function LinkForm({ token, link, onDone, onGone }: Props) {
  const setup = link.purpose === 'setup';
  const [email, setEmail] = useState(link.email ?? '');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const action = useAction();
  const form = useRef<HTMLFormElement>(null);

  const submit = async (event: TargetedSubmitEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const found: Errors = { ...(setup ? blankFields({ email, displayName }) : {}), ...newPasswordErrors(password, again) };
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstInvalid(form.current);
      return;
    }
    const answer = setup ? { email: email.trim(), display_name: displayName.trim(), password } : { password };
    const ok = await action.run(() => redeemLink(token, answer));
    if (ok) onDone(setup ? email.trim() : (link.email ?? ''));
  };

  useEffect(() => {
    if (isNotFound(action.error)) onGone();
  }, [action.error, onGone]);

  return (
    <>
      <h1>{t.link.heading[link.purpose]}</h1>
      <p class="lead">{intro(link)}</p>
      <section class="panel panel--narrow">
        {link.email !== null && !setup && <p data-testid="link-account">{t.link.account(link.email)}</p>}
        <form ref={form} noValidate onSubmit={(event) => { void submit(event); }} data-testid="link-form">
          {setup && (
            <>
              <TextField
                label={t.link.email}
                type="email"
                autoComplete="username"
                value={email}
                onValue={setEmail}
                error={errors.email}
                testId="link-email"
              />
              <TextField
                label={t.link.displayName}
                autoComplete="name"
                value={displayName}
                onValue={setDisplayName}
                error={errors.displayName}
                testId="link-display-name"
              />
            </>
          )}
          {/* Lets password managers file the new password under the right account. */}
          {!setup && link.email !== null && (
            <input type="email" class="visually-hidden" autoComplete="username" value={link.email} readOnly tabIndex={-1} aria-hidden="true" />
          )}
          <NewPasswordFields
            password={password}
            again={again}
            onPassword={setPassword}
            onAgain={setAgain}
            errors={{ password: errors.password, again: errors.again }}
          />
          <ErrorNotice error={action.error} testId="link-error" />
          <div class="actions">
            <button type="submit" class="button" disabled={action.busy} data-testid="link-submit">
              {action.busy ? t.common.saving : t.link.submit[link.purpose]}
            </button>
          </div>
        </form>
        <p class="hint">{t.link.expires(formatDateTime(link.expires_at))}</p>
      </section>
    </>
  );
}
