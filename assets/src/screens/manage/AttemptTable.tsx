/**
 * The students of an exam: extra time, where their attempt stands (not
 * started, in progress with its deadline, or submitted and by whom), changes
 * that reached the server after the deadline, and the receipt the student
 * got. Instructors select rows here for the extra-time form below, let an
 * attempt move to another computer, and decide on late changes.
 */
import { useEffect, useRef } from 'preact/hooks';
import { formatDateTime, t } from '../../i18n';
import type { AttemptRow, SubmitReason } from '../../api/types';
import { ReceiptDetails } from './ReceiptDetails';
import { AttemptActions, type AttemptActionHandlers } from './AttemptActions';

const text = t.manage.students;

export type AttemptState = 'not-started' | 'in-progress' | 'submitted';

export function attemptState(row: AttemptRow): AttemptState {
  if (row.attempt === null) return 'not-started';
  return row.attempt.submitted_at === null ? 'in-progress' : 'submitted';
}

const badge: Record<AttemptState, { tone: string; label: string }> = {
  'not-started': { tone: 'badge--neutral', label: text.state.notStarted },
  'in-progress': { tone: 'badge--info', label: text.state.inProgress },
  submitted: { tone: 'badge--pass', label: text.state.submitted },
};

const byName = new Intl.Collator(t.lang, { numeric: true, sensitivity: 'base' });

const submitted: Record<SubmitReason | 'unknown', (when: string) => string> = {
  student: text.submittedBy.student,
  deadline: text.submittedBy.deadline,
  unknown: text.submittedBy.unknown,
};

function AttemptCell({ row }: { row: AttemptRow }) {
  const state = attemptState(row);
  const { attempt } = row;
  return (
    <td>
      <span class={`badge ${badge[state].tone}`} data-testid="attempt-state">{badge[state].label}</span>
      {attempt !== null && attempt.submitted_at === null && (
        <span class="cell--small block" data-testid="attempt-times">
          <span class="block">{text.started(formatDateTime(attempt.started_at))}</span>
          <span class="block" data-testid="attempt-deadline">{text.deadline(formatDateTime(attempt.deadline_at))}</span>
        </span>
      )}
      {attempt?.submitted_at != null && (
        <span class="cell--small block" data-testid="attempt-submitted" data-reason={attempt.submit_reason ?? ''}>
          {submitted[attempt.submit_reason ?? 'unknown'](formatDateTime(attempt.submitted_at))}
        </span>
      )}
      {attempt?.move_allowed === true && attempt.submitted_at === null && (
        <span class="badge badge--info block-badge" data-testid="move-allowed">{text.moveAllowed}</span>
      )}
      {lateKinds.map((kind) => row.late_items[kind] > 0 && (
        <span
          key={kind}
          class={`badge ${kind === 'refused' ? 'badge--fail' : 'badge--neutral'} block-badge`}
          data-testid={`late-${kind}`}
          data-count={row.late_items[kind]}
          aria-describedby="late-note"
        >
          {text.late[kind](row.late_items[kind])}
        </span>
      ))}
    </td>
  );
}

const lateKinds = ['accepted', 'pending', 'refused', 'applied'] as const;

/** Whether any changes of the row arrived after the deadline. */
const hasLate = (row: AttemptRow): boolean => lateKinds.some((kind) => row.late_items[kind] > 0);

interface Props {
  rows: AttemptRow[];
  /** Instructors' actions on an attempt; absent for reviewers. */
  actions?: AttemptActionHandlers | undefined;
  /** The course's sections, for names and selecting a whole section. */
  sections: { id: string; name: string }[];
  selectable: boolean;
  selected: ReadonlySet<string>;
  onSelected: (selected: ReadonlySet<string>) => void;
}

/** Buttons that add every student of one section to the selection. */
function SectionPicker({ rows, sections, selected, onSelected }: Omit<Props, 'selectable'>) {
  const taking = sections
    .map((section) => ({ section, ids: rows.filter((row) => row.section_id === section.id).map((row) => row.user_id) }))
    .filter(({ ids }) => ids.length > 0);
  if (taking.length < 2) return null;
  return (
    <div class="actions" role="group" aria-label={text.selectBySection} data-testid="select-sections">
      {taking.map(({ section, ids }) => (
        <button
          key={section.id}
          type="button"
          class="button button--secondary button--small"
          data-testid="select-section"
          data-section={section.name}
          onClick={() => { onSelected(new Set([...selected, ...ids])); }}
        >
          {text.selectSection(section.name, ids.length)}
        </button>
      ))}
    </div>
  );
}

export function AttemptTable({ rows, actions, sections, selectable, selected, onSelected }: Props) {
  const sectionName = new Map(sections.map((section) => [section.id, section.name]));
  const all = useRef<HTMLInputElement>(null);
  const sorted = [...rows].sort((a, b) => byName.compare(a.display_name, b.display_name) || a.email.localeCompare(b.email));
  const chosen = rows.filter((row) => selected.has(row.user_id)).length;

  useEffect(() => {
    if (all.current !== null) all.current.indeterminate = chosen > 0 && chosen < rows.length;
  }, [chosen, rows.length]);

  const toggle = (userId: string, on: boolean): void => {
    const next = new Set(selected);
    if (on) next.add(userId);
    else next.delete(userId);
    onSelected(next);
  };

  if (rows.length === 0) return <p class="empty-state" data-testid="attempts-empty">{text.empty}</p>;
  return (
    <>
      {selectable && <SectionPicker rows={rows} sections={sections} selected={selected} onSelected={onSelected} />}
      <div class="table-wrap">
        <table class="table" data-testid="attempts">
          <caption class="visually-hidden">{text.caption(rows.length)}</caption>
          <thead>
            <tr>
              {selectable && (
                <th scope="col" class="cell--check">
                  <input
                    ref={all}
                    type="checkbox"
                    aria-label={text.selectAll}
                    checked={chosen > 0 && chosen === rows.length}
                    data-testid="select-all"
                    onChange={(event) => { onSelected(new Set(event.currentTarget.checked ? rows.map((row) => row.user_id) : [])); }}
                  />
                </th>
              )}
              <th scope="col">{text.student}</th>
              <th scope="col">{text.section}</th>
              <th scope="col">{text.extraTime}</th>
              <th scope="col">{text.attempt}</th>
              <th scope="col">{text.receipt}</th>
              {actions !== undefined && <th scope="col">{text.actions}</th>}
            </tr>
          </thead>
          <tbody>
            {sorted.map((row) => (
              <tr
                key={row.user_id}
                data-testid="attempt-row"
                data-email={row.email}
                data-state={attemptState(row)}
                data-extra-minutes={row.extra_minutes}
              >
                {selectable && (
                  <td class="cell--check">
                    <input
                      type="checkbox"
                      aria-label={text.select(row.display_name)}
                      checked={selected.has(row.user_id)}
                      data-testid="select-student"
                      onChange={(event) => { toggle(row.user_id, event.currentTarget.checked); }}
                    />
                  </td>
                )}
                <th scope="row">
                  {row.display_name}
                  <span class="cell--small block student-email">{row.email}</span>
                </th>
                <td data-testid="attempt-section">{sectionName.get(row.section_id) ?? ''}</td>
                <td data-testid="extra-time">
                  {row.extra_minutes > 0 ? text.extra(row.extra_minutes, row.extra_label) : text.noExtra}
                </td>
                <AttemptCell row={row} />
                <td>
                  {row.receipt !== null && <ReceiptDetails receipt={row.receipt} sha256={row.receipt_sha256 ?? ''} name={row.display_name} />}
                </td>
                {actions !== undefined && <td><AttemptActions row={row} handlers={actions} /></td>}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {selectable && <p class="hint" role="status" data-testid="selected-count">{text.selected(chosen)}</p>}
      {rows.some(hasLate) && <p class="hint" id="late-note">{text.lateNote}</p>}
    </>
  );
}
