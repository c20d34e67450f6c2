/**
 * Sign-in (`/signin`, and `/` when signed out). Members of an organization
 * give its short name; the platform administrator ticks a box that hides it.
 * `?org=`, `?email=` and `?platform` pre-fill the form (one-time links send
 * people here), `?next=` returns them to the page that needed a session, and
 * `?ended` says that the server ended the previous one.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { t } from '../../i18n';
import { signInWhenServed, signOut } from '../../api/session';
import { blankFields, CheckboxField, focusFirstInvalid, TextField } from '../../components/Field';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useAction } from '../../hooks/useAction';
import { Link, navigate, safeReturnPath, useLocation } from '../../router';
import { landingPath } from '../../session/roles';
import { useSession } from '../../session/SessionProvider';

type Errors = Partial<Record<'org' | 'email' | 'password', string>>;

export function SignInScreen() {
  const { query } = useLocation();
  const session = useSession();
  const [platform, setPlatform] = useState(query.has('platform'));
  const [org, setOrg] = useState(query.get('org') ?? '');
  const [email, setEmail] = useState(query.get('email') ?? '');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  // Seconds to the next try while the server is busy checking others' passwords.
  const [queued, setQueued] = useState<number | null>(null);
  // A student who leaves the page while queued is not signed in behind their back later.
  const leaving = useRef(new AbortController());
  useEffect(() => () => { leaving.current.abort(); }, []);
  const action = useAction();
  const form = useRef<HTMLFormElement>(null);

  const submit = async (event: TargetedSubmitEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const blank: Errors = platform ? blankFields({ email, password }) : blankFields({ org, email, password });
    setErrors(blank);
    if (Object.keys(blank).length > 0) {
      focusFirstInvalid(form.current);
      return;
    }
    await action.run(async () => {
      // One session per browser: a previous person's session ends first.
      if (session.view !== null) await signOut().catch(() => undefined);
      const credentials = { email: email.trim(), password };
      const whose = platform ? credentials : { ...credentials, org: org.trim().toLowerCase() };
      const view = await signInWhenServed(whose, setQueued, leaving.current.signal).finally(() => { setQueued(null); });
      // A sign-in answered after the student left the page is not theirs to be taken anywhere by.
      if (leaving.current.signal.aborted) return;
      session.signedIn(view);
      navigate(safeReturnPath(query.get('next')) ?? landingPath(view), { replace: true });
    });
  };

  return (
    <>
      <h1>{t.signIn.heading}</h1>
      {query.has('ended') && action.error === null && (
        <p class="notice notice--info panel--narrow" data-testid="session-ended">{t.signIn.sessionEnded}</p>
      )}
      <section class="panel panel--narrow">
        <form ref={form} noValidate onSubmit={(event) => { void submit(event); }} data-testid="sign-in-form">
          <CheckboxField
            label={t.signIn.platformToggle}
            hint={t.signIn.platformHint}
            checked={platform}
            onChecked={setPlatform}
            testId="sign-in-platform"
          />
          {!platform && (
            <TextField
              label={t.signIn.org}
              hint={t.signIn.orgHint}
              value={org}
              onValue={setOrg}
              error={errors.org}
              autoComplete="organization"
              autoCapitalize="none"
              spellcheck={false}
              testId="sign-in-org"
            />
          )}
          <TextField
            label={t.signIn.email}
            type="email"
            value={email}
            onValue={setEmail}
            error={errors.email}
            autoComplete="username"
            spellcheck={false}
            testId="sign-in-email"
          />
          <TextField
            label={t.signIn.password}
            type="password"
            value={password}
            onValue={setPassword}
            error={errors.password}
            autoComplete="current-password"
            testId="sign-in-password"
          />
          {queued !== null && (
            <p class="notice notice--info" role="status" data-testid="sign-in-queued">{t.signIn.queued(queued)}</p>
          )}
          <ErrorNotice error={action.error} testId="sign-in-error" />
          <div class="actions">
            <button type="submit" class="button" disabled={action.busy} data-testid="sign-in-submit">
              {action.busy ? t.signIn.busy : t.signIn.submit}
            </button>
          </div>
        </form>
      </section>
      <p class="aside">
        <Link href="/check" data-testid="check-link">{t.signIn.checkComputer}</Link>
      </p>
    </>
  );
}
