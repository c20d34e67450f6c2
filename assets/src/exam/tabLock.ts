/**
 * One tab at a time writes an attempt's queue: two tabs of the same exam on
 * one computer would each number and chain their own items. A Web Lock named
 * after the attempt decides; a second tab says so and offers to take over,
 * and the tab it takes over from stops saving at once.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export type TabLockState =
  /** Asking. */
  | 'waiting'
  /** This tab writes the attempt. */
  | 'held'
  /** Another tab writes it. */
  | 'elsewhere'
  /** Another tab took it over from this one. */
  | 'taken';

/** Holds the lock `name` while mounted; `takeOver()` takes it from another tab. */
export function useTabLock(name: string): { state: TabLockState; takeOver: () => void } {
  const [state, setState] = useState<TabLockState>('waiting');
  const release = useRef<(() => void) | null>(null);
  const unmounted = useRef(false);

  const hold = useCallback(
    (options: LockOptions) => {
      // Browsers without Web Locks (none that examhall supports) write from every tab.
      if (!('locks' in navigator)) {
        setState('held');
        return;
      }
      navigator.locks
        .request(name, options, async (lock) => {
          if (lock === null || unmounted.current) {
            if (!unmounted.current) setState('elsewhere');
            return;
          }
          setState('held');
          await new Promise<void>((resolve) => { release.current = resolve; });
        })
        .catch((error: unknown) => {
          // Another tab stole the lock.
          if (error instanceof DOMException && error.name === 'AbortError' && !unmounted.current) setState('taken');
        });
    },
    [name],
  );

  useEffect(() => {
    unmounted.current = false;
    hold({ ifAvailable: true });
    return () => {
      unmounted.current = true;
      release.current?.();
      release.current = null;
    };
  }, [hold]);

  const takeOver = useCallback(() => { hold({ steal: true }); }, [hold]);
  return { state, takeOver };
}
