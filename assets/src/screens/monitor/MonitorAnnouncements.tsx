/**
 * Announcements on the monitor: send one to a section (or, for
 * instructors, every section) and see who of the students watched here has
 * read each, kept current by the monitor's event stream.
 */
import { useCallback, useState } from 'preact/hooks';
import { formatDateTime, t } from '../../i18n';
import { announce, announcements, type Monitor, type SentAnnouncement } from '../../api/monitor';
import { ErrorNotice } from '../../components/ErrorNotice';
import { WhenLoaded } from '../../components/Status';
import { contact } from './status';
import { useAction } from '../../hooks/useAction';
import { useLoad } from '../../hooks/useLoad';

const text = t.monitor.announcements;

interface Props {
  courseId: string;
  examId: string;
  monitor: Monitor;
  /** The list as the event stream last sent it, once it has. */
  live: SentAnnouncement[] | null;
}

function Sent({ announcement, monitor }: { announcement: SentAnnouncement; monitor: Monitor }) {
  const sectionName = new Map(monitor.sections.map((s) => [s.id, s.name]));
  const audience = monitor.rows.filter((row) => announcement.section_id === null || row.section_id === announcement.section_id);
  const read = new Set(announcement.read_by);
  const unread = audience.filter((row) => !read.has(row.user_id));
  return (
    <li data-testid="sent-announcement">
      <strong>
        {announcement.section_id === null ? text.toEveryone : text.toSection(sectionName.get(announcement.section_id) ?? '')}
      </strong>
      {': '}
      <span class="announcements__body">{announcement.body}</span>
      <br />
      <span class="hint">{text.byLine(announcement.made_by_name, formatDateTime(announcement.made_at))}</span>
      {' · '}
      <span data-testid="announcement-read-count">{text.readCount(audience.length - unread.length, audience.length)}</span>
      {unread.length > 0 && (
        <details>
          <summary>{text.unread(unread.length)}</summary>
          <ul data-testid="announcement-unread">
            {unread.map((row) => <li key={row.user_id}>{`${row.display_name} (${contact(row)})`}</li>)}
          </ul>
        </details>
      )}
    </li>
  );
}

export function MonitorAnnouncements({ courseId, examId, monitor, live }: Props) {
  const loaded = useLoad(useCallback(() => announcements(courseId, examId), [courseId, examId]));
  const everyone = monitor.can.close;
  const [to, setTo] = useState(() => (everyone ? '' : monitor.sections[0]?.id ?? ''));
  const [body, setBody] = useState('');
  const action = useAction();

  const send = async (): Promise<void> => {
    if (await action.run(async () => { await announce(courseId, examId, to === '' ? null : to, body); })) {
      setBody('');
      loaded.reload();
    }
  };

  return (
    <section class="panel panel--wide" aria-labelledby="announcements-heading" data-testid="monitor-announcements">
      <h2 id="announcements-heading">{text.heading}</h2>
      <p class="hint">{text.intro}</p>
      {monitor.can.announce && (
        <form onSubmit={(event) => { event.preventDefault(); void send(); }} data-testid="announce-form">
          <label class="field-label" for="announce-to">{text.to}</label>
          <select id="announce-to" class="input" value={to} onChange={(e) => { setTo(e.currentTarget.value); }} data-testid="announce-to">
            {everyone && <option value="">{text.everyone}</option>}
            {monitor.sections.map((s) => <option key={s.id} value={s.id}>{t.monitor.section(s.name)}</option>)}
          </select>
          <label class="field-label" for="announce-body">{text.body}</label>
          <textarea id="announce-body" class="input" rows={2} maxLength={2000} value={body} onInput={(e) => { setBody(e.currentTarget.value); }} data-testid="announce-body" />
          <ErrorNotice error={action.error} />
          <button type="submit" class="button" disabled={action.busy} data-testid="announce-send">{text.send}</button>
        </form>
      )}
      <WhenLoaded loaded={loaded}>
        {(first) => {
          const list = live ?? first;
          return list.length === 0 ? (
            <p class="empty-state">{text.none}</p>
          ) : (
            <ol class="review__history" data-testid="sent-announcements">
              {list.map((a) => <Sent key={a.id} announcement={a} monitor={monitor} />)}
            </ol>
          );
        }}
      </WhenLoaded>
    </section>
  );
}
