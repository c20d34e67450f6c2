/**
 * A one-time link (`/link/<token>`): the first platform administrator's
 * set-up, an invitation, or a password reset. It asks the server what the
 * link is for, takes the password (and for set-up the e-mail address and
 * name), then offers to sign in with the form already filled in. A link that
 * is expired, used or unknown says so and tells the person to ask for a new one.
 */
import { useCallback, useState } from 'preact/hooks';
import { t } from '../../i18n';
import { readLink } from '../../api/session';
import { isNotFound } from '../../components/problem';
import { WhenLoaded } from '../../components/Status';
import { useLoad } from '../../hooks/useLoad';
import { LinkDone } from './LinkDone';
import { LinkForm } from './LinkForm';

function LinkGone() {
  return (
    <div data-testid="link-invalid">
      <h1>{t.link.invalidHeading}</h1>
      <p>{t.link.invalidBody}</p>
    </div>
  );
}

type Phase = { step: 'form' } | { step: 'done'; email: string } | { step: 'gone' };

export function LinkScreen({ token }: { token: string }) {
  const load = useCallback(() => readLink(token), [token]);
  const loaded = useLoad(load);
  const [phase, setPhase] = useState<Phase>({ step: 'form' });

  if (phase.step === 'gone' || (loaded.data === undefined && isNotFound(loaded.error))) return <LinkGone />;
  return (
    <WhenLoaded loaded={loaded}>
      {(link) =>
        phase.step === 'done' ? (
          <LinkDone link={link} email={phase.email} />
        ) : (
          <LinkForm
            token={token}
            link={link}
            onDone={(email) => { setPhase({ step: 'done', email }); }}
            onGone={() => { setPhase({ step: 'gone' }); }}
          />
        )
      }
    </WhenLoaded>
  );
}
