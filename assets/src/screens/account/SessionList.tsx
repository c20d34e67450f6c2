/** The person's live sessions, this browser marked, each other one with an End button. */
import { useEffect } from 'preact/hooks';
import { t } from '../../i18n';
import { endSession, listSessions } from '../../api/session';
import type { SessionItem } from '../../api/types';
import { ConfirmedActionButton, useConfirmedAction } from '../../components/ConfirmedAction';
import { DateTime } from '../../components/DateTime';
import { ErrorNotice } from '../../components/ErrorNotice';
import { WhenLoaded } from '../../components/Status';
import { useLoad } from '../../hooks/useLoad';

const text = t.account.sessions;

/** `changes` counts password changes: after one, the other sessions are gone, so the list reloads. */
export function SessionList({ changes }: { changes: number }) {
  const loaded = useLoad(listSessions);
  const ending = useConfirmedAction();
  const { reload } = loaded;

  useEffect(() => {
    if (changes > 0) reload();
  }, [changes, reload]);

  const end = async (session: SessionItem): Promise<void> => {
    const request = { title: text.endTitle, body: text.endBody, action: text.endConfirm };
    if (await ending.run(request, () => endSession(session.id))) reload();
  };

  return (
    <section class="panel" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">{text.heading}</h2>
      <p>{text.intro}</p>
      <ErrorNotice error={ending.error} />
      <WhenLoaded loaded={loaded}>
        {(sessions) => (
          <div class="table-wrap">
            <table class="table" data-testid="sessions">
              <thead>
                <tr>
                  <th scope="col">{text.started}</th>
                  <th scope="col">{text.lastSeen}</th>
                  <th scope="col">{text.address}</th>
                  <th scope="col">{text.browser}</th>
                  <th scope="col">{text.actions}</th>
                </tr>
              </thead>
              <tbody>
                {sessions.map((session) => (
                  <tr key={session.id} data-testid="session-row" data-current={String(session.current)}>
                    <td><DateTime iso={session.created_at} /></td>
                    <td><DateTime iso={session.last_seen_at} /></td>
                    <td>{session.client_addr ?? t.common.unknown}</td>
                    <td class="cell--small">{session.user_agent ?? t.common.unknown}</td>
                    <td>
                      {session.current ? (
                        <span class="badge badge--info">{text.current}</span>
                      ) : (
                        <ConfirmedActionButton action={ending} testId="session-end" onClick={() => end(session)}>
                          {text.end}
                        </ConfirmedActionButton>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </WhenLoaded>
      {ending.dialog}
    </section>
  );
}
