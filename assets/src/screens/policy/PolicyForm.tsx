/**
 * The policy as an instructor changes it: the thresholds table, what proctors
 * may do, Save, and "reset to the profile's table" (after confirming). The
 * form checks only that every number is a whole number; the server checks
 * the ranges and its refusal shows under the form. After a save the form
 * holds what the server answered, and a status line says so.
 */
import { useRef, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { t } from '../../i18n';
import { setPolicy, type ExamPolicy, type PolicyChange, type SignalKind } from '../../api/policy';
import { useConfirm } from '../../components/ConfirmDialog';
import { DoneNotice, ErrorNotice } from '../../components/ErrorNotice';
import { CheckboxField, focusFirstInvalid, TextField } from '../../components/Field';
import { useAction } from '../../hooks/useAction';
import { draftOf, FIELDS, tableOf, wholeNumber, type Draft, type DraftRule } from './draft';
import { ThresholdTable } from './ThresholdTable';

const text = t.policy;

interface Props {
  courseId: string;
  examId: string;
  policy: ExamPolicy;
  onSaved: (policy: ExamPolicy) => void;
}

/** The labels of the numbers `invalid` names (`fieldKey`s), for the message that lists them. */
function invalidLabels(invalid: readonly string[]): string {
  return t.common.list(invalid.map((key) => {
    const [kind, index] = key.split('.') as [SignalKind, string];
    const field = FIELDS[kind][Number(index)];
    const name = text.thresholds.kinds[kind].name;
    return field === undefined ? name : text.thresholds.field(name, text.thresholds.units[field]);
  }));
}

export function PolicyForm({ courseId, examId, policy, onSaved }: Props) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(policy.thresholds, policy.profile_thresholds));
  const [readCode, setReadCode] = useState(policy.proctors_read_code);
  const [minutes, setMinutes] = useState(String(policy.proctor_extra_minutes));
  const [invalid, setInvalid] = useState<string[]>([]);
  const [minutesWrong, setMinutesWrong] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [dialog, confirm] = useConfirm();
  const action = useAction();
  const form = useRef<HTMLFormElement>(null);

  const onRow = (kind: SignalKind, row: DraftRule): void => {
    setDraft((current) => ({ ...current, [kind]: row }));
  };

  /** Sends `change`; on success the table shows what the server holds now. */
  const send = async (change: PolicyChange, message: string): Promise<void> => {
    setDone(null);
    const saved = await action.run(async () => {
      const answer = await setPolicy(courseId, examId, change);
      setDraft(draftOf(answer.thresholds, answer.profile_thresholds));
      onSaved(answer);
    });
    if (saved) setDone(message);
  };

  const save = async (event: TargetedSubmitEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const built = tableOf(draft);
    const extra = wholeNumber(minutes);
    setInvalid('invalid' in built ? built.invalid : []);
    setMinutesWrong(extra === null);
    if ('invalid' in built || extra === null) {
      setDone(null);
      action.clear();
      focusFirstInvalid(form.current);
      return;
    }
    await send({ thresholds: built.table, proctors_read_code: readCode, proctor_extra_minutes: extra }, text.saved);
  };

  const reset = async (): Promise<void> => {
    const sure = await confirm(text.thresholds.resetConfirm);
    if (!sure) return;
    setInvalid([]);
    // Only the table goes back: the proctor permissions are sent as saved.
    const change: PolicyChange = { thresholds: null, proctors_read_code: policy.proctors_read_code, proctor_extra_minutes: policy.proctor_extra_minutes };
    await send(change, text.thresholds.resetDone);
  };

  const wrongLabels = [
    ...(invalid.length > 0 ? [invalidLabels(invalid)] : []),
    ...(minutesWrong ? [text.proctors.extraMinutes] : []),
  ];

  return (
    <>
      <form ref={form} noValidate onSubmit={(event) => { void save(event); }} data-testid="policy-form">
        <section class="panel panel--wide" aria-labelledby="policy-thresholds-heading">
          <h2 id="policy-thresholds-heading">{text.thresholds.heading}</h2>
          <ThresholdTable policy={policy} editing={{ draft, invalid: new Set(invalid), onRow }} />
          <button
            type="button"
            class="button button--secondary"
            disabled={action.busy}
            data-testid="policy-reset"
            onClick={() => { void reset(); }}
          >
            {text.thresholds.reset}
          </button>
        </section>
        <section class="panel panel--wide" aria-labelledby="policy-proctors-heading">
          <h2 id="policy-proctors-heading">{text.proctors.heading}</h2>
          <p class="hint">{text.proctors.intro}</p>
          <CheckboxField label={text.proctors.readCode} checked={readCode} onChecked={setReadCode} testId="policy-read-code" />
          <div class="form--narrow">
            <TextField
              label={text.proctors.extraMinutes}
              hint={text.proctors.extraMinutesHint}
              value={minutes}
              onValue={setMinutes}
              error={minutesWrong ? text.notWholeField : undefined}
              testId="policy-extra-minutes"
            />
          </div>
        </section>
        {wrongLabels.length > 0 && (
          <p class="notice notice--error" role="alert" data-testid="policy-invalid">{text.notWhole(t.common.list(wrongLabels))}</p>
        )}
        <ErrorNotice error={action.error} testId="policy-error" />
        <DoneNotice text={done} testId="policy-done" />
        <div class="actions">
          <button type="submit" class="button" disabled={action.busy} data-testid="policy-save">
            {action.busy ? text.saving : text.save}
          </button>
        </div>
      </form>
      {dialog}
    </>
  );
}
