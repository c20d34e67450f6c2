/**
 * The signed-in person's own account (`/account`): change the password, see
 * and end sessions in other browsers, sign out here.
 */
import { useState } from 'preact/hooks';
import { t } from '../../i18n';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useAction } from '../../hooks/useAction';
import { useSession } from '../../session/SessionProvider';
import { ChangePasswordForm } from './ChangePasswordForm';
import { SessionList } from './SessionList';

export function AccountScreen() {
  const session = useSession();
  const [changes, setChanges] = useState(0);
  const leaving = useAction();
  const view = session.view;
  if (view === null) return null;

  return (
    <>
      <h1>{t.account.heading}</h1>
      {view.candidate_of === null ? (
        <>
          <p class="lead">{t.account.who(view.user.display_name, view.user.email)}</p>
          <ChangePasswordForm
            onChanged={() => {
              setChanges((n) => n + 1);
              void session.refresh();
            }}
          />
        </>
      ) : (
        // A candidate has no address of their own (the account's is made up) and no password: their link signs them in.
        <p class="lead" data-testid="account-candidate">{t.account.candidate(view.user.display_name)}</p>
      )}
      <SessionList changes={changes} />
      <section class="panel" aria-labelledby="sign-out-heading">
        <h2 id="sign-out-heading">{t.account.signOut.heading}</h2>
        <p>{t.account.signOut.body}</p>
        <ErrorNotice error={leaving.error} />
        <button
          type="button"
          class="button button--secondary"
          disabled={leaving.busy}
          data-testid="account-sign-out"
          onClick={() => { void leaving.run(session.signOut); }}
        >
          {t.header.signOut}
        </button>
      </section>
    </>
  );
}
