/**
 * An instructor's actions on one student's attempt, each asked about first:
 * issue a code that moves a running attempt to another computer, and apply changes the
 * server proved were made before the deadline (a new submission and receipt;
 * the first is kept). The page holds one confirmation and one error for all
 * rows (`useConfirmedAction`).
 */
import { t } from '../../i18n';
import type { AttemptRow } from '../../api/types';
import { ConfirmedActionButton, type ConfirmedAction } from '../../components/ConfirmedAction';

const text = t.manage.students;

export interface AttemptActionHandlers {
  action: ConfirmedAction;
  allowMove: (row: AttemptRow) => Promise<void>;
  applyLate: (row: AttemptRow) => Promise<void>;
}

export function AttemptActions({ row, handlers }: { row: AttemptRow; handlers: AttemptActionHandlers }) {
  const { attempt } = row;
  if (attempt === null) return null;
  const running = attempt.submitted_at === null;
  return (
    <div class="actions actions--compact">
      {running && !attempt.move_allowed && (
        <ConfirmedActionButton action={handlers.action} onClick={() => handlers.allowMove(row)} testId="allow-move">
          {text.allowMove}
        </ConfirmedActionButton>
      )}
      {row.late_items.accepted > 0 && (
        <ConfirmedActionButton action={handlers.action} onClick={() => handlers.applyLate(row)} testId="apply-late">
          {text.applyLate}
        </ConfirmedActionButton>
      )}
    </div>
  );
}
