/** The list of readiness checks, each with its status in words and an explanation. */
import { t, type CheckId } from '../../i18n';

export type CheckState =
  | { status: 'pending' }
  | { status: 'pass'; detail?: string }
  | { status: 'fail'; reason?: string; advice?: 'untrustedCertificate' | 'noDiskSpace' };

export const checkOrder: readonly CheckId[] = [
  'modules',
  'wasm',
  'isolation',
  'indexedDb',
  'serviceWorker',
  'secureContext',
  'python',
];

interface Props {
  states: Record<CheckId, CheckState>;
}

export function CheckList({ states }: Props) {
  return (
    <ul class="checks" data-testid="checks">
      {checkOrder.map((id) => (
        <CheckItem key={id} id={id} state={states[id]} />
      ))}
    </ul>
  );
}

function CheckItem({ id, state }: { id: CheckId; state: CheckState }) {
  const text = t.readiness.checks[id];
  return (
    <li class={`check check--${state.status}`} data-testid={`check-${id}`} data-status={state.status}>
      <h3 class="check__label">{text.label}</h3>
      <p class="check__status">
        <span class="check__icon" aria-hidden="true" />
        {t.readiness.status[state.status]}
      </p>
      {state.status === 'pass' && <p class="check__text">{text.pass}</p>}
      {state.status === 'pass' && state.detail !== undefined && (
        <p class="check__detail" data-testid={`check-${id}-detail`}>{state.detail}</p>
      )}
      {state.status === 'fail' && (
        <p class="check__text" data-testid={`check-${id}-text`}>{state.advice === undefined ? text.fail : t.readiness.advice[state.advice]}</p>
      )}
      {state.status === 'fail' && state.reason !== undefined && (
        <p class="check__detail" data-testid={`check-${id}-detail`}>{t.readiness.failureDetail(state.reason)}</p>
      )}
    </li>
  );
}
