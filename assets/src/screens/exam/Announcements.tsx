/**
 * Announcements from the exam's staff on the student's exam page: they
 * arrive at once over the server's event stream (the whole list on
 * connecting, so a page back from a network drop misses nothing), stay on
 * the page, and each waits for the student to say they read it. A new one
 * is read out to screen readers; "New" is written, never colour alone.
 */
import { useEffect, useState } from 'preact/hooks';
import { formatTime, t } from '../../i18n';
import { announcementEvents, readAnnouncement, type ReceivedAnnouncement } from '../../api/attempts';

const text = t.exam.announcements;

export function Announcements({ examId }: { examId: string }) {
  const [list, setList] = useState<ReceivedAnnouncement[]>([]);
  const [reading, setReading] = useState<string | null>(null);
  useEffect(() => {
    const source = new EventSource(announcementEvents(examId));
    source.addEventListener('announcements', (event) => {
      setList(JSON.parse((event as MessageEvent<string>).data) as ReceivedAnnouncement[]);
    });
    return () => { source.close(); };
  }, [examId]);

  if (list.length === 0) return null;
  const newest = list.find((a) => a.read_at === null);
  const markRead = async (id: string): Promise<void> => {
    setReading(id);
    try {
      await readAnnouncement(examId, id);
      const now = new Date().toISOString();
      setList((current) => current.map((a) => (a.id === id ? { ...a, read_at: now } : a)));
    } catch {
      // Not read yet as far as the server knows: the button stays for another try.
    } finally {
      setReading(null);
    }
  };

  return (
    <section class="panel announcements" aria-labelledby="announcements-heading" data-testid="announcements">
      <h2 id="announcements-heading">{text.heading}</h2>
      <p class="visually-hidden" role="alert">{newest === undefined ? '' : text.arrived(newest.body)}</p>
      <ol class="announcements__list">
        {list.map((announcement) => (
          <li key={announcement.id} data-testid="announcement" data-read={String(announcement.read_at !== null)}>
            {announcement.read_at === null ? <strong class="badge badge--info">{text.fresh}</strong> : <span class="badge badge--neutral">{text.wasRead}</span>}{' '}
            <span class="announcements__body">{announcement.body}</span>
            <br />
            <span class="hint">{text.byLine(announcement.made_by_name, formatTime(new Date(announcement.made_at)))}</span>
            {announcement.read_at === null && (
              <>
                {' '}
                <button
                  type="button"
                  class="button button--small"
                  disabled={reading === announcement.id}
                  onClick={() => { void markRead(announcement.id); }}
                  data-testid="announcement-read"
                >
                  {text.read}
                </button>
              </>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
