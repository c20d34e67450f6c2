/**
 * Asks before a destructive action, in a modal <dialog>: focus moves into it
 * (to Cancel, the safe choice), Escape cancels, and focus returns to the
 * button that asked. Use through `useConfirm`:
 *
 *   const [dialog, confirm] = useConfirm();
 *   if (await confirm({ title, body, action })) revoke();
 *   ... {dialog}
 *
 * A dialog that shows more than a sentence (the summary before submitting
 * an exam) passes `details` on every render, so they stay current while
 * the dialog is open.
 */
import { useCallback, useEffect, useId, useRef, useState } from 'preact/hooks';
import type { ComponentChildren, JSX } from 'preact';
import { t } from '../i18n';

export interface ConfirmRequest {
  title: string;
  body: string;
  /** The label of the button that goes ahead, e.g. "Revoke". */
  action: string;
}

/** More to show under the body, and the id of the part of it read out with the body. */
export interface ConfirmDetails {
  content: ComponentChildren;
  describedBy?: string;
}

interface Props {
  request: ConfirmRequest | null;
  details: ConfirmDetails | undefined;
  onAnswer: (confirmed: boolean) => void;
}

function ConfirmDialog({ request, details, onAnswer }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLElement | null>(null);
  const id = useId();
  const [shown, setShown] = useState<ConfirmRequest | null>(null);

  useEffect(() => {
    const element = dialog.current;
    if (element === null || request === null || element.open) return;
    setShown(request);
    opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    element.returnValue = '';
    element.showModal();
  }, [request]);

  const closed = (): void => {
    const confirmed = dialog.current?.returnValue === 'confirm';
    if (opener.current?.isConnected === true) opener.current.focus();
    opener.current = null;
    onAnswer(confirmed);
  };

  const text = request ?? shown;
  return (
    <dialog
      ref={dialog}
      class={details === undefined ? 'dialog' : 'dialog dialog--wide'}
      aria-labelledby={`${id}-title`}
      aria-describedby={details?.describedBy === undefined ? `${id}-body` : `${id}-body ${details.describedBy}`}
      onClose={closed}
      data-testid="confirm-dialog"
    >
      <form method="dialog">
        <h2 id={`${id}-title`}>{text?.title}</h2>
        <p id={`${id}-body`}>{text?.body}</p>
        {details?.content}
        <div class="actions">
          <button type="submit" value="cancel" class="button button--secondary" autofocus data-testid="confirm-cancel">
            {t.dialog.cancel}
          </button>
          <button type="submit" value="confirm" class="button button--danger" data-testid="confirm-action">
            {text?.action}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/**
 * A confirmation dialog to render once, and the function that opens it and
 * resolves with the answer; `details`, when given, show under the body.
 */
export function useConfirm(details?: ConfirmDetails): [JSX.Element, (request: ConfirmRequest) => Promise<boolean>] {
  const [request, setRequest] = useState<ConfirmRequest | null>(null);
  const resolver = useRef<((confirmed: boolean) => void) | null>(null);

  const ask = useCallback((next: ConfirmRequest) => {
    resolver.current?.(false);
    setRequest(next);
    return new Promise<boolean>((resolve) => { resolver.current = resolve; });
  }, []);

  const answer = useCallback((confirmed: boolean) => {
    setRequest(null);
    const resolve = resolver.current;
    resolver.current = null;
    resolve?.(confirmed);
  }, []);

  return [<ConfirmDialog request={request} details={details} onAnswer={answer} />, ask];
}
