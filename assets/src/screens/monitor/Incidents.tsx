/**
 * Incident notes on the monitor: what happened in the room, about one
 * student or a whole section the caller watches (proctors too), newest
 * first. A note is never changed; a correction is a new note.
 */
import { useCallback, useState } from 'preact/hooks';
import { formatDateTime, t } from '../../i18n';
import { addIncident, incidents, type Incident, type Monitor } from '../../api/monitor';
import { ErrorNotice } from '../../components/ErrorNotice';
import { WhenLoaded } from '../../components/Status';
import { contact } from './status';
import { useAction } from '../../hooks/useAction';
import { useLoad } from '../../hooks/useLoad';

const text = t.monitor.incidents;

interface Props {
  courseId: string;
  examId: string;
  monitor: Monitor;
  /** The notes as the event stream last sent them (anyone's new note), once it has. */
  live: Incident[] | null;
}

export function Incidents({ courseId, examId, monitor, live }: Props) {
  const loaded = useLoad(useCallback(() => incidents(courseId, examId), [courseId, examId]));
  const [about, setAbout] = useState(() => `section:${monitor.sections[0]?.id ?? ''}`);
  const [note, setNote] = useState('');
  const action = useAction();
  const sectionName = new Map(monitor.sections.map((s) => [s.id, s.name]));
  const byName = [...monitor.rows].sort((a, b) => a.display_name.localeCompare(b.display_name, t.lang));

  const submit = async (): Promise<void> => {
    const [kind, id = ''] = about.split(':');
    const target = kind === 'student' ? { student_id: id } : { section_id: id };
    if (await action.run(async () => { await addIncident(courseId, examId, target, note); })) {
      setNote('');
      loaded.reload();
    }
  };

  return (
    <section class="panel panel--wide" aria-labelledby="incidents-heading" data-testid="incidents">
      <h2 id="incidents-heading">{text.heading}</h2>
      <p class="hint">{text.intro}</p>
      <form onSubmit={(event) => { event.preventDefault(); void submit(); }} data-testid="incident-form">
        <label class="field-label" for="incident-about">{text.about}</label>
        <select id="incident-about" class="input" value={about} onChange={(e) => { setAbout(e.currentTarget.value); }} data-testid="incident-about">
          {monitor.sections.map((s) => <option key={s.id} value={`section:${s.id}`}>{text.wholeSection(s.name)}</option>)}
          {byName.map((row) => <option key={row.user_id} value={`student:${row.user_id}`}>{`${row.display_name} (${contact(row)})`}</option>)}
        </select>
        <label class="field-label" for="incident-note">{text.note}</label>
        <textarea id="incident-note" class="input" rows={2} maxLength={2000} value={note} onInput={(e) => { setNote(e.currentTarget.value); }} data-testid="incident-note" />
        <ErrorNotice error={action.error} />
        <button type="submit" class="button" disabled={action.busy} data-testid="incident-add">{text.add}</button>
      </form>
      <WhenLoaded loaded={loaded}>
        {(loadedNotes) => {
          const notes = live ?? loadedNotes;
          return notes.length === 0 ? (
            <p class="empty-state" data-testid="no-incidents">{text.none}</p>
          ) : (
            <ol class="review__history" data-testid="incident-list">
              {notes.map((incident) => (
                <li key={incident.id} data-testid="incident">
                  <strong>
                    {incident.student_name ?? text.aboutSection(sectionName.get(incident.section_id) ?? '')}
                  </strong>
                  {': '}
                  {incident.note}
                  <br />
                  <span class="hint">{text.byLine(incident.made_by_name, formatDateTime(incident.made_at))}</span>
                </li>
              ))}
            </ol>
          );
        }}
      </WhenLoaded>
    </section>
  );
}
