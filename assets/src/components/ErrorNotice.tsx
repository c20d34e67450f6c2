/** A failed request's message, announced at once, placed next to the form that sent it. */
import { t } from '../i18n';
import { problemText } from './problem';

interface Props {
  error: unknown;
  testId?: string;
}

export function ErrorNotice({ error, testId = 'error' }: Props) {
  if (error === null || error === undefined) return null;
  return (
    <p class="notice notice--error" role="alert" data-testid={testId}>
      {problemText(error)}
    </p>
  );
}

/** A success message for the last action, announced politely. */
export function DoneNotice({ text, testId = 'done' }: { text: string | null; testId?: string }) {
  return (
    <p class={text === null ? 'visually-hidden' : 'notice notice--done'} role="status" data-testid={testId}>
      {text ?? ''}
    </p>
  );
}

interface SaveActionsProps {
  /** The form's save in progress, and its last error. */
  busy: boolean;
  error: unknown;
  /** The last save's success message. */
  done: string | null;
  /** The button's words while idle. */
  label: string;
  /** `x` gives `x-error`, `x-saved` and `x-save` to tests. */
  testPrefix: string;
}

/** A form's end: its error or success message, then its submit button (which says when it saves). */
export function SaveActions({ busy, error, done, label, testPrefix }: SaveActionsProps) {
  return (
    <>
      <ErrorNotice error={error} testId={`${testPrefix}-error`} />
      <DoneNotice text={done} testId={`${testPrefix}-saved`} />
      <div class="actions">
        <button type="submit" class="button" disabled={busy} data-testid={`${testPrefix}-save`}>
          {busy ? t.common.saving : label}
        </button>
      </div>
    </>
  );
}
