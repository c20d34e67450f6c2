/**
 * The thresholds table: one row per kind of signal, with a caption and row
 * headers; editable for instructors (`draft` given), words for everyone else.
 */
import { t } from '../../i18n';
import { SIGNAL_KINDS, type ExamPolicy, type SignalKind } from '../../api/policy';
import type { Draft, DraftRule } from './draft';
import { ThresholdRow, ThresholdText } from './ThresholdRow';

const text = t.policy.thresholds;

interface Props {
  policy: ExamPolicy;
  /** The instructor's rows; without them the table shows the policy in words. */
  editing?: {
    draft: Draft;
    invalid: ReadonlySet<string>;
    onRow: (kind: SignalKind, row: DraftRule) => void;
  };
}

export function ThresholdTable({ policy, editing }: Props) {
  const profileName = t.policy.profiles[policy.profile];
  const common = { profile: policy.profile_thresholds, profileName };
  return (
    <div class="table-wrap">
      <table class="table table--compact policy-table" data-testid="policy-table">
        <caption class="visually-hidden">{text.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{text.columns.kind}</th>
            <th scope="col">{text.columns.on}</th>
            <th scope="col">{text.columns.severity}</th>
            <th scope="col">{text.columns.at}</th>
            <th scope="col">{text.columns.profile}</th>
          </tr>
        </thead>
        <tbody>
          {SIGNAL_KINDS.map((kind) =>
            editing === undefined ? (
              <ThresholdText key={kind} kind={kind} current={policy.thresholds} {...common} />
            ) : (
              <ThresholdRow
                key={kind}
                kind={kind}
                row={editing.draft[kind]}
                invalid={editing.invalid}
                onRow={(row) => { editing.onRow(kind, row); }}
                {...common}
              />
            ),
          )}
        </tbody>
      </table>
    </div>
  );
}
