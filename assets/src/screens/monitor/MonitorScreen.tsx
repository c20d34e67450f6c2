/**
 * The live monitor of one exam: one row per student the caller watches
 * (course staff: every section; a proctor: their own), kept current by the
 * server's event stream. The stream starts with the whole monitor and sends
 * it again whenever the page may have missed something, so a reconnection
 * (which the browser's EventSource makes by itself) leaves no gap. Status,
 * time left and "last save" are worked out once a second on the server's
 * clock; colour is never the only sign of a status, the text is always there.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { t } from '../../i18n';
import { giveExtraTime, monitorEvents, type Incident, type Monitor, type MonitorRow, type SentAnnouncement } from '../../api/monitor';
import { MonitorAnnouncements } from './MonitorAnnouncements';
import { closeExam, issueMoveCode, reopenAttempt } from '../../api/exams';
import { studentPath } from '../../api/review';
import { ConfirmedActionButton, useConfirmedAction } from '../../components/ConfirmedAction';
import { ErrorNotice } from '../../components/ErrorNotice';
import { MoveCodeIssued, type IssuedFor } from '../../components/MoveCodeIssued';
import { NotFoundScreen } from '../not-found/NotFoundScreen';
import { ActivityTable } from './ActivityTable';
import { MinutesPanel } from './MinutesPanel';
import { Incidents } from './Incidents';
import { MonitorTable, type Sort } from './MonitorTable';
import { STATUS_ORDER, standing, timeLeft, type Status } from './status';

const text = t.monitor;

type Severity = 'any' | 'high' | 'medium' | 'none';

/** Whether `row`'s signals are of the chosen kind (rows not yet counted show only under "any"). */
function bySeverity(row: MonitorRow, severity: Severity): boolean {
  const s = row.signals;
  switch (severity) {
    case 'any':
      return true;
    case 'high':
      return s !== null && s.high > 0;
    case 'medium':
      return s !== null && s.high + s.medium > 0;
    case 'none':
      return s !== null && s.high + s.medium + s.low === 0;
  }
}

type Connection = 'connecting' | 'live' | 'reconnecting' | 'refused';

interface Props {
  courseId: string;
  examId: string;
}

/** The monitor, kept current by the event stream; and the server's clock as this browser reckons it. */
function useMonitor(
  courseId: string,
  examId: string,
): { monitor: Monitor | null; connection: Connection; offset: number; incidents: Incident[] | null; sent: SentAnnouncement[] | null } {
  const [monitor, setMonitor] = useState<Monitor | null>(null);
  const [incidents, setIncidents] = useState<Incident[] | null>(null);
  const [sent, setSent] = useState<SentAnnouncement[] | null>(null);
  const [connection, setConnection] = useState<Connection>('connecting');
  const [offset, setOffset] = useState(0);
  useEffect(() => {
    const source = new EventSource(monitorEvents(courseId, examId));
    source.addEventListener('snapshot', (event) => {
      const whole = JSON.parse((event as MessageEvent<string>).data) as Monitor;
      setOffset(Date.parse(whole.server_now) - Date.now());
      setMonitor(whole);
      setConnection('live');
    });
    source.addEventListener('announcements', (event) => {
      setSent(JSON.parse((event as MessageEvent<string>).data) as SentAnnouncement[]);
    });
    source.addEventListener('incidents', (event) => {
      const notes = JSON.parse((event as MessageEvent<string>).data) as Incident[];
      setIncidents(notes);
    });
    source.addEventListener('student', (event) => {
      const row = JSON.parse((event as MessageEvent<string>).data) as MonitorRow;
      setMonitor((current) => {
        if (current === null) return current;
        const rows = current.rows.some((r) => r.user_id === row.user_id)
          ? current.rows.map((r) => (r.user_id === row.user_id ? row : r))
          : [...current.rows, row];
        return { ...current, rows };
      });
    });
    source.onerror = () => {
      // Closed for good (the server refused the stream): the browser will not try again.
      setConnection(source.readyState === EventSource.CLOSED ? 'refused' : 'reconnecting');
    };
    return () => { source.close(); };
  }, [courseId, examId]);
  return { monitor, connection, offset, incidents, sent };
}

/** The server's time now, moving once a second. */
function useServerNow(offset: number): number {
  const [now, setNow] = useState(() => Date.now() + offset);
  useEffect(() => {
    setNow(Date.now() + offset);
    const timer = setInterval(() => { setNow(Date.now() + offset); }, 1000);
    return () => { clearInterval(timer); };
  }, [offset]);
  return now;
}

export function MonitorScreen({ courseId, examId }: Props) {
  const { monitor, connection, offset, incidents, sent } = useMonitor(courseId, examId);
  const now = useServerNow(offset);
  const acting = useConfirmedAction();
  const [issued, setIssued] = useState<IssuedFor | null>(null);
  const [minutesFor, setMinutesFor] = useState<{ row: MonitorRow; reopen: boolean } | null>(null);
  const [said, setSaid] = useState('');
  const [section, setSection] = useState('');
  const [status, setStatus] = useState<Status | ''>('');
  const [sort, setSort] = useState<Sort>('status');
  const [severity, setSeverity] = useState<Severity>('any');
  const [activityTable, setActivityTable] = useState(false);

  const standings = useMemo(
    () => new Map((monitor?.rows ?? []).map((row) => [row.user_id, standing(row, now)])),
    [monitor, now],
  );

  if (connection === 'refused' && monitor === null) return <NotFoundScreen />;
  if (monitor === null) return <p role="status">{t.common.loading}</p>;

  const counts = new Map<Status, number>();
  for (const s of standings.values()) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
  const { can } = monitor;
  const issueFor = async (row: MonitorRow, attemptId: string): Promise<void> => {
    const issue = async (): Promise<void> => {
      setIssued({ name: row.display_name, ...(await issueMoveCode(courseId, examId, attemptId)) });
    };
    await acting.run(text.actions.moveConfirm(row.display_name), issue);
  };
  const running = (row: MonitorRow): boolean => row.attempt?.submitted_at == null && (timeLeft(row, now) ?? 1) > 0;
  const reopens = (row: MonitorRow): boolean => can.close && row.attempt?.submitted_at != null;
  const actions = can.move_attempts || can.extra_minutes > 0 || can.close
    ? (row: MonitorRow) => (
        reopens(row) ? (
          <button type="button" class="button button--secondary button--small" onClick={() => { setMinutesFor({ row, reopen: true }); }} data-testid="monitor-reopen">
            {text.actions.reopen}
          </button>
        ) : running(row) && (
          <div class="actions actions--compact">
            {can.move_attempts && row.attempt !== null && (
              <ConfirmedActionButton action={acting} onClick={() => issueFor(row, row.attempt?.id ?? '')} testId="monitor-move">
                {text.actions.move}
              </ConfirmedActionButton>
            )}
            {can.extra_minutes > 0 && (
              <button type="button" class="button button--secondary button--small" onClick={() => { setMinutesFor({ row, reopen: false }); }} data-testid="monitor-more-time">
                {text.actions.moreTime}
              </button>
            )}
          </div>
        )
      )
    : undefined;
  const shown = monitor.rows.filter(
    (row) =>
      (section === '' || row.section_id === section) &&
      (status === '' || standings.get(row.user_id)?.status === status) &&
      bySeverity(row, severity),
  );

  return (
    <>
      <h1 data-testid="monitor-heading">{text.heading(monitor.title)}</h1>
      <p class="lead">{text.intro}</p>
      <p role="status" class={connection === 'live' ? 'hint' : 'notice'} data-testid="monitor-connection" data-state={connection}>
        {connection === 'live' ? text.live : connection === 'reconnecting' ? text.reconnecting : t.common.loading}
      </p>
      <section aria-labelledby="monitor-summary">
        <h2 id="monitor-summary" class="visually-hidden">{text.summaryLabel}</h2>
        <ul class="chips" data-testid="monitor-summary">
          <li class="chip">{text.summary.total(monitor.rows.length)}</li>
          {STATUS_ORDER.filter((s) => counts.has(s)).map((s) => (
            <li key={s} class="chip" data-status={s} data-testid="monitor-count">
              {`${counts.get(s) ?? 0} ${text.statusNames[s]}`}
            </li>
          ))}
        </ul>
      </section>
      <div class="filters">
        <label class="field-label" for="monitor-section">{text.sectionFilter}</label>
        <select id="monitor-section" class="input" value={section} onChange={(e) => { setSection(e.currentTarget.value); }} data-testid="monitor-section">
          <option value="">{text.allSections}</option>
          {monitor.sections.map((s) => <option key={s.id} value={s.id}>{text.section(s.name)}</option>)}
        </select>
        <label class="field-label" for="monitor-status">{text.statusFilter}</label>
        <select id="monitor-status" class="input" value={status} onChange={(e) => { setStatus(e.currentTarget.value as Status | ''); }} data-testid="monitor-status">
          <option value="">{text.allStatuses}</option>
          {STATUS_ORDER.map((s) => <option key={s} value={s}>{text.statusNames[s]}</option>)}
        </select>
        <label class="field-label" for="monitor-sort">{text.sortBy}</label>
        <select id="monitor-sort" class="input" value={sort} onChange={(e) => { setSort(e.currentTarget.value as Sort); }} data-testid="monitor-sort">
          <option value="status">{text.sorts.status}</option>
          <option value="name">{text.sorts.name}</option>
          <option value="lastSave">{text.sorts.lastSave}</option>
          <option value="signals">{text.sorts.signals}</option>
        </select>
        <label class="field-label" for="monitor-severity">{text.severityFilter}</label>
        <select id="monitor-severity" class="input" value={severity} onChange={(e) => { setSeverity(e.currentTarget.value as Severity); }} data-testid="monitor-severity">
          {(['any', 'high', 'medium', 'none'] as const).map((s) => <option key={s} value={s}>{text.severities[s]}</option>)}
        </select>
      </div>
      <p role="status" class="hint" data-testid="monitor-said">{said}</p>
      <ErrorNotice error={acting.error} />
      {issued !== null && <MoveCodeIssued issued={issued} onDismiss={() => { setIssued(null); }} />}
      {minutesFor !== null && (
        <MinutesPanel
          heading={minutesFor.reopen ? text.actions.reopenFor(minutesFor.row.display_name) : text.actions.moreTimeFor(minutesFor.row.display_name)}
          action={minutesFor.reopen ? text.actions.reopenGive : text.actions.give}
          most={minutesFor.reopen ? 240 : can.extra_minutes}
          onGive={async (minutes, reason) => {
            const { row } = minutesFor;
            if (minutesFor.reopen) {
              await reopenAttempt(courseId, examId, row.attempt?.id ?? '', minutes, reason);
              const reopened = text.actions.reopened(row.display_name, minutes);
              return row.candidate ? `${reopened} ${text.actions.reopenedCandidate}` : reopened;
            }
            const now = await giveExtraTime(courseId, examId, row.user_id, minutes, reason);
            return text.actions.given(row.display_name, now.minutes);
          }}
          onDone={(message) => {
            setMinutesFor(null);
            if (message !== null) setSaid(message);
          }}
        />
      )}
      <MonitorTable
        monitor={monitor}
        rows={shown}
        standings={standings}
        now={now}
        sort={sort}
        detail={(attemptId) => studentPath(courseId, examId, attemptId)}
        actions={actions}
      />
      <p>
        <button type="button" class="button button--secondary button--small" aria-expanded={activityTable} onClick={() => { setActivityTable(!activityTable); }} data-testid="activity-toggle">
          {activityTable ? text.activityTable.hide : text.activityTable.show}
        </button>
      </p>
      {activityTable && <ActivityTable rows={shown} />}
      {can.close && Date.parse(monitor.closes_at) > now && (
        <p class="row-actions">
          <ConfirmedActionButton
            action={acting}
            onClick={async () => { await acting.run(text.actions.closeConfirm, async () => { await closeExam(courseId, examId); }); }}
            testId="monitor-close"
          >
            {text.actions.close}
          </ConfirmedActionButton>
        </p>
      )}
      {acting.dialog}
      <MonitorAnnouncements courseId={courseId} examId={examId} monitor={monitor} live={sent} />
      <Incidents courseId={courseId} examId={examId} monitor={monitor} live={incidents} />
    </>
  );
}
