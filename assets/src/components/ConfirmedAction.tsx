/**
 * A destructive action a table offers on its rows (revoke a grant or a
 * candidate link, end a session), asked about first. The table holds one
 * dialog and one error for all its rows, not one per row, and every row's
 * button waits while one action runs, so two never overlap. Use as:
 *
 *   const revoking = useConfirmedAction();
 *   if (await revoking.run({ title, body, action }, () => revoke(id))) onChanged();
 *   ... <ErrorNotice error={revoking.error} /> ... <ConfirmedActionButton ... /> ... {revoking.dialog}
 */
import { useCallback } from 'preact/hooks';
import type { ComponentChildren, JSX } from 'preact';
import { useConfirm, type ConfirmRequest } from './ConfirmDialog';
import { useAction } from '../hooks/useAction';

export interface ConfirmedAction {
  busy: boolean;
  /** The last attempt's error, for an ErrorNotice beside the table. */
  error: unknown;
  /** The confirmation dialog, to render once. */
  dialog: JSX.Element;
  /** Asks with `request`, then runs `work` if confirmed; resolves true when it ran and succeeded. */
  run: (request: ConfirmRequest, work: () => Promise<void>) => Promise<boolean>;
}

export function useConfirmedAction(): ConfirmedAction {
  const [dialog, confirm] = useConfirm();
  const { busy, error, run: runAction } = useAction();
  const run = useCallback(
    async (request: ConfirmRequest, work: () => Promise<void>) => (await confirm(request)) && runAction(work),
    [confirm, runAction],
  );
  return { busy, error, dialog, run };
}

interface ButtonProps {
  action: ConfirmedAction;
  /** The row's handler, which asks and runs through `action.run`. */
  onClick: () => Promise<void>;
  /** Red for what cannot be undone; ending a session only signs a browser out. */
  danger?: boolean;
  /** The id of the cell that names the row, read out with the button. */
  describedBy?: string;
  testId: string;
  children: ComponentChildren;
}

/** A row's button for a confirmed action, disabled while any of the table's actions runs. */
export function ConfirmedActionButton({ action, onClick, danger = false, describedBy, testId, children }: ButtonProps) {
  return (
    <button
      type="button"
      class={`button button--small ${danger ? 'button--danger-secondary' : 'button--secondary'}`}
      aria-describedby={describedBy}
      disabled={action.busy}
      data-testid={testId}
      onClick={() => { void onClick(); }}
    >
      {children}
    </button>
  );
}
