/** A failed request's message, announced at once, placed next to the form that sent it. */
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
