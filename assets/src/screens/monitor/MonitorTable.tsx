/**
 * The monitor's table: one row per student shown, with the status in words
 * (and a tone that only repeats it), time left with extra time, how long ago
 * the last save reached the server, and how many questions they changed.
 */
import type { ComponentChildren } from 'preact';
import { t } from '../../i18n';
import type { Monitor, MonitorRow } from '../../api/monitor';
import { Link } from '../../router';
import { Sparkline } from '../../components/Sparkline';
import { STATUS_ORDER, contact, timeLeft, type Standing, type Status } from './status';

const text = t.monitor;

export type Sort = 'status' | 'name' | 'lastSave' | 'signals';

const byName = new Intl.Collator(t.lang, { numeric: true, sensitivity: 'base' });

const tone: Record<Status, string> = {
  disconnected: 'badge--fail',
  idle: 'badge--neutral',
  working: 'badge--info',
  not_started: 'badge--neutral',
  submitted_at_deadline: 'badge--pass',
  submitted: 'badge--pass',
};

function label(standing: Standing): string {
  return standing.status === 'idle' ? text.statuses.idle(standing.idleMinutes) : text.statuses[standing.status];
}

/** Most attention first: any high before any medium before any low. */
function weight(row: MonitorRow): number {
  const s = row.signals;
  return s === null ? -1 : s.high * 1_000_000 + s.medium * 1_000 + s.low;
}

function SignalCell({ row }: { row: MonitorRow }) {
  const s = row.signals;
  if (row.attempt === null) return <>{text.notStartedLeft}</>;
  if (s === null) return <span class="hint">{text.signalsPending}</span>;
  const tone = s.high > 0 ? 'badge--fail' : s.medium > 0 ? 'badge--info' : 'badge--neutral';
  return <span class={`badge ${tone}`} data-testid="monitor-signals" data-high={s.high} data-medium={s.medium} data-low={s.low}>{text.signalCounts(s.high, s.medium, s.low)}</span>;
}

function sorted(rows: MonitorRow[], standings: Map<string, Standing>, sort: Sort): MonitorRow[] {
  const rank = (row: MonitorRow): number => STATUS_ORDER.indexOf(standings.get(row.user_id)?.status ?? 'not_started');
  const saved = (row: MonitorRow): number => (row.last_save_at === null ? 0 : Date.parse(row.last_save_at));
  const name = (a: MonitorRow, b: MonitorRow): number => byName.compare(a.display_name, b.display_name);
  const order: Record<Sort, (a: MonitorRow, b: MonitorRow) => number> = {
    status: (a, b) => rank(a) - rank(b) || name(a, b),
    name,
    lastSave: (a, b) => saved(b) - saved(a) || name(a, b),
    signals: (a, b) => weight(b) - weight(a) || name(a, b),
  };
  return [...rows].sort(order[sort]);
}

function TimeLeft({ row, now }: { row: MonitorRow; now: number }) {
  const left = timeLeft(row, now);
  if (left === null) return <>{text.notStartedLeft}</>;
  if (row.attempt?.submitted_at != null) return <>{text.notStartedLeft}</>;
  const seconds = Math.floor(left / 1000);
  return (
    <>
      {left === 0 ? text.timeUp : text.left(Math.floor(seconds / 60), seconds % 60)}
      {row.extra_minutes > 0 && <> <span class="hint">{text.extra(row.extra_minutes)}</span></>}
    </>
  );
}

interface Props {
  monitor: Monitor;
  rows: MonitorRow[];
  standings: Map<string, Standing>;
  now: number;
  sort: Sort;
  /** Where a student's attempt opens. */
  detail: (attemptId: string) => string;
  /** The caller's actions on one student, when they may act. */
  actions: ((row: MonitorRow) => ComponentChildren) | undefined;
}

export function MonitorTable({ monitor, rows, standings, now, sort, detail, actions }: Props) {
  const sectionName = new Map(monitor.sections.map((s) => [s.id, s.name]));
  if (rows.length === 0) return <p class="empty-state" data-testid="monitor-empty">{text.noStudents}</p>;
  return (
    <div class="table-wrap">
      <table class="table table--compact" data-testid="monitor-table">
        <caption>{text.caption(rows.length, monitor.rows.length)}</caption>
        <thead>
          <tr>
            <th scope="col">{text.columns.student}</th>
            <th scope="col">{text.columns.section}</th>
            <th scope="col">{text.columns.status}</th>
            <th scope="col">{text.columns.timeLeft}</th>
            <th scope="col">{text.columns.lastSave}</th>
            <th scope="col">{text.columns.questions}</th>
            <th scope="col">{text.columns.signals}</th>
            <th scope="col">{text.columns.tests}</th>
            <th scope="col">{text.columns.activity}</th>
            {actions !== undefined && <th scope="col">{text.actions.column}</th>}
          </tr>
        </thead>
        <tbody>
          {sorted(rows, standings, sort).map((row) => {
            const standing = standings.get(row.user_id) ?? { status: 'not_started' as const, idleMinutes: 0 };
            const saved = row.last_save_at === null ? null : Math.max(0, Math.floor((now - Date.parse(row.last_save_at)) / 1000));
            return (
              <tr
                key={row.user_id}
                data-testid="monitor-row"
                data-email={row.email}
                data-status={standing.status}
                data-last-save={row.last_save_at ?? ''}
              >
                <th scope="row">
                  {row.attempt !== null ? (
                    <Link href={detail(row.attempt.id)} aria-label={text.open(row.display_name)} data-testid="monitor-open">{row.display_name}</Link>
                  ) : (
                    row.display_name
                  )}{' '}
                  <span class="hint">{contact(row)}</span>
                </th>
                <td>{text.section(sectionName.get(row.section_id) ?? '')}</td>
                <td>
                  <span class={`badge ${tone[standing.status]}`} data-testid="monitor-status-cell">{label(standing)}</span>
                </td>
                <td><TimeLeft row={row} now={now} /></td>
                <td data-testid="monitor-last-save">{saved === null ? text.never : text.ago(saved)}</td>
                <td data-testid="monitor-questions">{text.questions(row.questions_attempted, monitor.questions)}</td>
                <td><SignalCell row={row} /></td>
                <td data-testid="monitor-tests">{row.tests_run === null ? text.noTestsRun : text.testsRun(row.tests_run.passed, row.tests_run.total)}</td>
                <td>{row.attempt !== null && <Sparkline values={row.activity} label={text.sparkline(row.activity)} />}</td>
                {actions !== undefined && <td>{actions(row)}</td>}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
