/**
 * A candidate link (`/candidate/<token>`), opened by someone without an
 * account: the exam and who the link is for, and Start, which signs this
 * browser in as the candidate and goes to their exam. The page does not
 * ask who is signed in first. A link that was used, revoked or has expired
 * says so and sends the person to the exam staff.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { formatDateTime, t } from '../../i18n';
import { readCandidateLink, startCandidateLink } from '../../api/session';
import type { CandidateLinkView } from '../../api/types';
import { ErrorNotice } from '../../components/ErrorNotice';
import { isNotFound } from '../../components/problem';
import { WhenLoaded } from '../../components/Status';
import { useAction } from '../../hooks/useAction';
import { useLoad } from '../../hooks/useLoad';
import { navigate } from '../../router';
import { useSession } from '../../session/SessionProvider';

const text = t.candidateLink;

function CandidateLinkGone() {
  return (
    <div data-testid="candidate-invalid">
      <h1>{text.invalidHeading}</h1>
      <p>{text.invalidBody}</p>
    </div>
  );
}

function CandidateStart({ token, link, onGone }: { token: string; link: CandidateLinkView; onGone: () => void }) {
  const { signedIn } = useSession();
  const action = useAction();
  const early = Date.parse(link.valid_from) > Date.now();

  const start = async (): Promise<void> => {
    const ok = await action.run(async () => { signedIn(await startCandidateLink(token)); });
    // Straight to their exam: it is the only one the account exists for.
    if (ok) navigate(`/exams/${encodeURIComponent(link.exam_id)}`, { replace: true });
  };

  // Used or revoked since the page opened: say so instead of showing the error.
  useEffect(() => {
    if (isNotFound(action.error)) onGone();
  }, [action.error, onGone]);

  return (
    <>
      <h1 data-testid="candidate-exam">{link.exam_title}</h1>
      <section class="panel panel--narrow">
        <p class="candidate-name" data-testid="candidate-label">{text.who(link.label)}</p>
        <p>{text.valid(formatDateTime(link.valid_from), formatDateTime(link.valid_until))}</p>
        {early && <p class="notice notice--info">{text.notYet(formatDateTime(link.valid_from))}</p>}
        <p>{text.intro}</p>
        <ErrorNotice error={action.error} testId="candidate-error" />
        <div class="actions">
          <button
            type="button"
            class="button"
            disabled={action.busy}
            data-testid="candidate-start"
            onClick={() => { void start(); }}
          >
            {action.busy ? text.starting : text.start}
          </button>
        </div>
      </section>
    </>
  );
}

export function CandidateScreen({ token }: { token: string }) {
  const loaded = useLoad(useCallback(() => readCandidateLink(token), [token]));
  const [gone, setGone] = useState(false);
  const markGone = useCallback(() => { setGone(true); }, []);

  if (gone || (loaded.data === undefined && isNotFound(loaded.error))) return <CandidateLinkGone />;
  return (
    <WhenLoaded loaded={loaded}>
      {(link) => <CandidateStart token={token} link={link} onGone={markGone} />}
    </WhenLoaded>
  );
}
