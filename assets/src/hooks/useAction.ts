/**
 * State for a form's one action: whether it is running, and the error of the
 * last attempt, which the form shows next to itself (see ErrorNotice).
 */
import { useCallback, useState } from 'preact/hooks';

export interface Action {
  busy: boolean;
  error: unknown;
  /** Runs `work`, recording its error; resolves true when it succeeded. */
  run: (work: () => Promise<void>) => Promise<boolean>;
  clear: () => void;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const run = useCallback(async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      return true;
    } catch (caught) {
      setError(caught);
      return false;
    } finally {
      setBusy(false);
    }
  }, []);

  const clear = useCallback(() => { setError(null); }, []);
  return { busy, error, run, clear };
}
