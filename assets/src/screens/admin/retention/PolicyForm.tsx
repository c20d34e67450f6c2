/**
 * The retention policy: for integrity evidence and for whole exams, keep
 * indefinitely or a number of days after the exam closes; for audit
 * entries, indefinitely or a number of days after each is written. The form checks
 * the server's rules itself (the platform's minimum, evidence no longer than
 * its exam), so each error sits on the field it is about, in the form's
 * words; whatever the server still refuses is shown under the form.
 */
import { useId, useRef, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { formatDateTime, t } from '../../../i18n';
import { setRetention, type PolicySetting, type RetentionPolicy, type RetentionView } from '../../../api/retention';
import { focusFirstInvalid } from '../../../components/Field';
import { DoneNotice, ErrorNotice } from '../../../components/ErrorNotice';
import { useAction } from '../../../hooks/useAction';

const text = t.admin.retention.policy;
const kinds: PolicySetting[] = ['evidence', 'exam', 'audit'];

/** One setting as typed: the choice, and the days (kept while "indefinitely" is chosen). */
interface Setting {
  forever: boolean;
  days: string;
}

type Settings = Record<PolicySetting, Setting>;
type Errors = Partial<Record<PolicySetting, string>>;

/** The platform's minimum for a setting. */
const minimumOf = (view: RetentionView, kind: PolicySetting): number =>
  kind === 'audit' ? view.audit_minimum_days : view.minimum_days;

const settingOf = (days: number | null): Setting => ({ forever: days === null, days: days === null ? '' : String(days) });

/** The policy `settings` ask for, and an error for each setting the server would refuse. */
function check(settings: Settings, view: RetentionView): { policy: RetentionPolicy; errors: Errors } {
  const errors: Errors = {};
  const days = (kind: PolicySetting): number | null => {
    const { forever, days: typed } = settings[kind];
    const minimum = minimumOf(view, kind);
    if (forever) return null;
    if (typed.trim() === '') errors[kind] = t.common.required;
    else if (!/^\d+$/.test(typed.trim())) errors[kind] = text.wholeDays;
    else if (Number(typed) < minimum) errors[kind] = text.belowMinimum(kind, minimum);
    return errors[kind] === undefined ? Number(typed) : null;
  };
  const policy: RetentionPolicy = { evidence_days: days('evidence'), exam_days: days('exam'), audit_days: days('audit') };
  if (policy.evidence_days !== null && policy.exam_days !== null && policy.evidence_days > policy.exam_days) {
    errors.evidence = text.evidenceLonger(policy.exam_days);
  }
  return { policy, errors };
}

interface KeepProps {
  kind: PolicySetting;
  setting: Setting;
  onSetting: (setting: Setting) => void;
  minimum: number;
  error: string | undefined;
}

/** One setting: the choice as a radio pair, and the days, which choose "days" when typed in. */
function KeepField({ kind, setting, onSetting, minimum, error }: KeepProps) {
  const id = useId();
  const words = text.kinds[kind];
  const testId = `retention-${kind}`;
  const described = [`${id}-days-hint`, error === undefined ? '' : `${id}-error`].filter(Boolean).join(' ');
  return (
    <fieldset class="field radio-group" aria-describedby={`${id}-hint`} data-testid={testId}>
      <legend class="field-label">{words.legend}</legend>
      <p class="hint" id={`${id}-hint`}>{words.hint}</p>
      <div class="field--check">
        <input
          type="radio"
          id={`${id}-forever`}
          name={`${id}-keep`}
          checked={setting.forever}
          data-testid={`${testId}-forever`}
          onChange={() => { onSetting({ ...setting, forever: true }); }}
        />
        <label for={`${id}-forever`}>{text.forever}</label>
      </div>
      <div class="field--check">
        <input
          type="radio"
          id={`${id}-for-days`}
          name={`${id}-keep`}
          checked={!setting.forever}
          data-testid={`${testId}-keep-days`}
          onChange={() => { onSetting({ ...setting, forever: false }); }}
        />
        <label for={`${id}-for-days`}>{kind === 'audit' ? text.keepAuditDays : text.keepDays}</label>
      </div>
      <label class="field-label" for={`${id}-days`}>{kind === 'audit' ? text.auditDays : text.days}</label>
      <input
        class="input"
        type="number"
        inputMode="numeric"
        min={minimum}
        step={1}
        id={`${id}-days`}
        value={setting.days}
        aria-invalid={error === undefined ? undefined : 'true'}
        aria-describedby={described}
        data-testid={`${testId}-days`}
        onInput={(event) => { onSetting({ forever: false, days: event.currentTarget.value }); }}
      />
      <p class="hint" id={`${id}-days-hint`}>{text.daysHint(minimum)}</p>
      {error !== undefined && (
        <p class="field-error" id={`${id}-error`} data-testid={`${testId}-days-error`}>{error}</p>
      )}
    </fieldset>
  );
}

interface Props {
  view: RetentionView;
  onSaved: () => void;
}

export function PolicyForm({ view, onSaved }: Props) {
  const [settings, setSettings] = useState<Settings>(() => ({
    evidence: settingOf(view.evidence_days),
    exam: settingOf(view.exam_days),
    audit: settingOf(view.audit_days),
  }));
  const [errors, setErrors] = useState<Errors>({});
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const form = useRef<HTMLFormElement>(null);

  const change = (kind: PolicySetting) => (setting: Setting): void => {
    setSettings((current) => ({ ...current, [kind]: setting }));
    setDone(null);
  };

  const submit = async (event: TargetedSubmitEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    setDone(null);
    const { policy, errors: found } = check(settings, view);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstInvalid(form.current);
      return;
    }
    if (await action.run(async () => { await setRetention(policy); })) {
      setDone(text.saved);
      onSaved();
    }
  };

  return (
    <section class="panel" aria-labelledby="retention-policy-heading">
      <h3 id="retention-policy-heading">{text.heading}</h3>
      <p data-testid="retention-updated">
        {view.updated === null ? text.neverSet : text.updated(view.updated.by, formatDateTime(view.updated.at))}
      </p>
      <p class="hint" data-testid="retention-minimum">{text.minimum(view.minimum_days)}</p>
      <p class="hint" data-testid="retention-schedule">{text.schedule(view.daily_utc_hour)}</p>
      <form ref={form} class="form--narrow" noValidate onSubmit={(event) => { void submit(event); }} data-testid="retention-form">
        {kinds.map((kind) => (
          <KeepField
            key={kind}
            kind={kind}
            setting={settings[kind]}
            onSetting={change(kind)}
            minimum={minimumOf(view, kind)}
            error={errors[kind]}
          />
        ))}
        <ErrorNotice error={action.error} testId="retention-error" />
        <DoneNotice text={done} testId="retention-saved" />
        <div class="actions">
          <button type="submit" class="button" disabled={action.busy} data-testid="retention-save">
            {action.busy ? t.common.saving : text.save}
          </button>
        </div>
      </form>
    </section>
  );
}
