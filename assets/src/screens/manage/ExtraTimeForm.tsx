/**
 * Extra time for the students selected in the table: a share of the exam's
 * duration (25, 50 or 100 %, rounded up to whole minutes and labelled so) or
 * a number of minutes with a label of the instructor's own; or none at all,
 * after confirming. The server gives running attempts their new deadline.
 */
import { useRef, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { t } from '../../i18n';
import { setExtraTime } from '../../api/exams';
import type { AttemptRow, Exam } from '../../api/types';
import { useConfirm } from '../../components/ConfirmDialog';
import { DoneNotice, ErrorNotice } from '../../components/ErrorNotice';
import { focusFirstInvalid, RadioField, TextField } from '../../components/Field';
import { useAction } from '../../hooks/useAction';

const text = t.manage.extra;

const PRESETS = [25, 50, 100] as const;
type Choice = `${(typeof PRESETS)[number]}` | 'fixed';

/** The server's limits on extra time. */
const MAX_MINUTES = 1440;
const MAX_LABEL = 80;

/** Minutes for `percent` of a duration, rounded up so nobody gets less than the share. */
export const shareOf = (duration: number, percent: number): number => Math.ceil((duration * percent) / 100);

type Errors = Partial<Record<'minutes' | 'label', string>>;

interface Props {
  courseId: string;
  exam: Exam;
  /** The students selected in the table. */
  chosen: AttemptRow[];
  onSaved: () => void;
}

export function ExtraTimeForm({ courseId, exam, chosen, onSaved }: Props) {
  const [choice, setChoice] = useState<Choice>('25');
  const [minutes, setMinutes] = useState('');
  const [label, setLabel] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [noneChosen, setNoneChosen] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [dialog, confirm] = useConfirm();
  const action = useAction();
  const form = useRef<HTMLFormElement>(null);

  /** The minutes and label to send, or null after marking what is wrong. */
  const amount = (): { minutes: number; label: string } | null => {
    if (choice !== 'fixed') {
      const percent = Number(choice);
      return { minutes: shareOf(exam.duration_minutes, percent), label: text.presetLabel(percent) };
    }
    const found: Errors = {};
    const value = Number(minutes.trim());
    if (!/^\d+$/.test(minutes.trim()) || value < 1 || value > MAX_MINUTES) found.minutes = text.minutesInvalid;
    // The server counts Unicode scalar values, as Array.from does.
    if (Array.from(label.trim()).length > MAX_LABEL) found.label = text.labelTooLong;
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstInvalid(form.current);
      return null;
    }
    return { minutes: value, label: label.trim() };
  };

  const save = async (extra: { minutes: number; label: string }, message: string): Promise<void> => {
    const ids = chosen.map((row) => row.user_id);
    if (await action.run(() => setExtraTime(courseId, exam.id, ids, extra.minutes, extra.label))) {
      setDone(message);
      onSaved();
    }
  };

  const names = (): string => t.common.list(chosen.map((row) => row.display_name));

  const selectionMissing = (): boolean => {
    setDone(null);
    setNoneChosen(chosen.length === 0);
    return chosen.length === 0;
  };

  const grant = async (event: TargetedSubmitEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    if (selectionMissing()) return;
    const extra = amount();
    if (extra === null) return;
    await save(extra, text.granted(names(), t.exams.minutes(extra.minutes), extra.label));
  };

  const remove = async (): Promise<void> => {
    if (selectionMissing()) return;
    const sure = await confirm({ title: text.removeTitle(chosen.length), body: text.removeBody, action: text.removeConfirm });
    if (sure) await save({ minutes: 0, label: '' }, text.removed(names()));
  };

  return (
    <section class="extra-time" aria-labelledby="extra-time-heading">
      <h3 id="extra-time-heading">{text.heading}</h3>
      <p class="hint">{text.intro}</p>
      <form ref={form} noValidate onSubmit={(event) => { void grant(event); }} data-testid="extra-time-form">
        <RadioField<Choice>
          legend={text.amount}
          name="extra-time-amount"
          value={choice}
          onValue={setChoice}
          options={[
            ...PRESETS.map((percent) => ({
              value: `${percent}` as const,
              label: text.preset(percent, t.exams.minutes(shareOf(exam.duration_minutes, percent))),
              testId: `extra-preset-${String(percent)}`,
            })),
            { value: 'fixed' as const, label: text.fixed, testId: 'extra-fixed' },
          ]}
        />
        {choice === 'fixed' && (
          <div class="form--narrow">
            <TextField
              label={text.minutes}
              hint={text.minutesHint}
              value={minutes}
              onValue={setMinutes}
              error={errors.minutes}
              testId="extra-minutes"
            />
            <TextField label={text.label} hint={text.labelHint} optional value={label} onValue={setLabel} error={errors.label} testId="extra-label" />
          </div>
        )}
        {noneChosen && chosen.length === 0 && (
          <p class="notice notice--error" role="alert" data-testid="extra-none-selected">{text.noneSelected}</p>
        )}
        <ErrorNotice error={action.error} testId="extra-time-error" />
        <DoneNotice text={done} testId="extra-time-done" />
        <div class="actions">
          <button type="submit" class="button" disabled={action.busy} data-testid="extra-grant">
            {action.busy ? text.granting : text.grant}
          </button>
          <button
            type="button"
            class="button button--danger-secondary"
            disabled={action.busy}
            data-testid="extra-remove"
            onClick={() => { void remove(); }}
          >
            {text.remove}
          </button>
        </div>
      </form>
      {dialog}
    </section>
  );
}
