/**
 * One kind of signal in the thresholds table: for instructors its controls
 * (on, severity, numbers), each named after the kind for a screen reader;
 * for everyone else the same in words. The profile's own setting stands
 * beside it as text.
 */
import { useId } from 'preact/hooks';
import { t } from '../../i18n';
import type { Severity, SignalKind, Thresholds } from '../../api/policy';
import { FIELDS, fieldKey, ruleText, settingWords, type DraftRule } from './draft';

const text = t.policy.thresholds;
const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high'];

interface Common {
  kind: SignalKind;
  /** The profile's table and the profile's name, for the last column. */
  profile: Thresholds;
  profileName: string;
}

function KindHeader({ kind }: { kind: SignalKind }) {
  return (
    <th scope="row">
      {text.kinds[kind].name}
      <span class="hint block">{text.kinds[kind].what}</span>
    </th>
  );
}

function ProfileCell({ kind, profile, profileName }: Common) {
  return (
    <td class="cell--small" data-testid="policy-profile-setting">
      {text.profileSetting(profileName, ruleText(kind, profile))}
    </td>
  );
}

interface EditableProps extends Common {
  row: DraftRule;
  /** The `fieldKey`s of numbers that are not whole numbers. */
  invalid: ReadonlySet<string>;
  onRow: (row: DraftRule) => void;
}

/** A kind's controls, for the course's instructors. */
export function ThresholdRow({ kind, profile, profileName, row, invalid, onRow }: EditableProps) {
  const id = useId();
  const name = text.kinds[kind].name;
  const always = kind === 'history_mismatch';
  return (
    <tr data-testid="policy-row" data-kind={kind} data-on={String(row.on)}>
      <KindHeader kind={kind} />
      <td>
        <span class="policy-check">
          <input
            type="checkbox"
            checked={row.on}
            disabled={always}
            aria-label={text.on(name)}
            data-testid="policy-on"
            onChange={(event) => { onRow({ ...row, on: event.currentTarget.checked }); }}
          />
          <span aria-hidden="true">{always ? text.alwaysOn : row.on ? text.isOn : text.isOff}</span>
        </span>
      </td>
      <td>
        <select
          class="input policy-severity"
          value={row.severity}
          disabled={!row.on}
          aria-label={text.severity(name)}
          data-testid="policy-severity"
          onChange={(event) => { onRow({ ...row, severity: event.currentTarget.value as Severity }); }}
        >
          {SEVERITIES.map((severity) => <option key={severity} value={severity}>{text.severities[severity]}</option>)}
        </select>
      </td>
      <td>
        {always && text.anyMismatch}
        {FIELDS[kind].map((field, index) => {
          const wrong = invalid.has(fieldKey(kind, index));
          return (
            <span class="policy-number" key={field}>
              <input
                id={`${id}-${field}`}
                type="text"
                inputMode="numeric"
                class="input policy-number__input"
                value={row.values[index] ?? ''}
                disabled={!row.on}
                aria-label={text.field(name, text.units[field])}
                aria-invalid={wrong ? 'true' : undefined}
                data-testid="policy-at"
                data-field={field}
                onInput={(event) => {
                  const values = [...row.values];
                  values[index] = event.currentTarget.value;
                  onRow({ ...row, values });
                }}
              />
              <span aria-hidden="true">{text.units[field]}</span>
            </span>
          );
        })}
      </td>
      <ProfileCell kind={kind} profile={profile} profileName={profileName} />
    </tr>
  );
}

/** A kind's setting in words, for reviewers and proctors. */
export function ThresholdText({ kind, profile, profileName, current }: Common & { current: Thresholds }) {
  const rule = current[kind];
  return (
    <tr data-testid="policy-row" data-kind={kind} data-on={String(rule !== null)}>
      <KindHeader kind={kind} />
      <td>{kind === 'history_mismatch' ? text.alwaysOn : rule === null ? text.isOff : text.isOn}</td>
      <td>{rule === null ? '' : text.severities[rule.severity]}</td>
      <td>{settingWords(kind, current) ?? ''}</td>
      <ProfileCell kind={kind} profile={profile} profileName={profileName} />
    </tr>
  );
}
