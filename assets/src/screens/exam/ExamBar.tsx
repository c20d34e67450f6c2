/**
 * The exam client's pinned bar: the exam's title, the time left by the
 * server's clock, the autosave status in words, and Submit.
 */
import { t } from '../../i18n';
import type { SaveState } from '../../exam/autosave';

/** Remaining time as h:mm:ss or m:ss. */
function clock(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${String(hours)}:${String(minutes).padStart(2, '0')}:${seconds}` : `${String(minutes)}:${seconds}`;
}

function saveText(save: SaveState): string {
  if (save.ended !== null) {
    const late = save.late === null ? '' : t.exam.late(save.late.accepted, save.late.pending, save.late.refused);
    return late === '' ? t.exam.saveEnded[save.ended] : `${t.exam.saveEnded[save.ended]} ${late}`;
  }
  return save.waiting === 0 ? t.exam.saved : t.exam.waiting(save.waiting);
}

function saveClass(save: SaveState): string {
  // Saving has ended here: the reason is shown whole, however long.
  if (save.ended !== null) return 'exam-bar__save--waiting exam-bar__save--ended';
  return save.waiting === 0 && save.error === null ? 'exam-bar__save--ok' : 'exam-bar__save--waiting';
}

interface Props {
  title: string;
  /** Milliseconds left by the server's clock. */
  left: number;
  deadlineAt: string;
  save: SaveState;
  submitting: boolean;
  onSubmit: () => void;
}

export function ExamBar({ title, left, deadlineAt, save, submitting, onSubmit }: Props) {
  return (
    <div class="exam-bar" data-testid="exam-bar">
      <h1 class="exam-bar__title" title={title}>{title}</h1>
      <p class="exam-bar__timer" role="timer" data-testid="timer" data-deadline={deadlineAt}>{left > 0 ? t.exam.timeLeft(clock(left)) : t.exam.timeOver}</p>
      <p
        class={`exam-bar__save ${saveClass(save)}`}
        title={saveText(save)}
        role="status"
        data-testid="save-status"
        data-waiting={String(save.waiting)}
        data-writing={String(save.writing)}
      >
        {saveText(save)}
      </p>
      <button type="button" class="button button--danger" disabled={submitting || save.ended !== null} onClick={onSubmit} data-testid="submit">
        {submitting ? t.exam.submitting : t.exam.submit}
      </button>
    </div>
  );
}
