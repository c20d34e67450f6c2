/**
 * Loads data for a screen and keeps it while reloading, so a table does not
 * blink after every change. `load` must be stable (a module-level API call).
 *
 * A load that a newer reload has overtaken never replaces the data, even if
 * it answers last: what is shown after `refresh()` is always at least as new
 * as the moment it was asked for.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  /** Reloads; settles once data asked for after this call is shown (or its error). */
  refresh: () => Promise<void>;
}

export function useLoad<T>(load: () => Promise<T>): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [round, setRound] = useState(0);
  // The newest round asked for, ahead of the render that starts it.
  const asked = useRef(0);
  const waiting = useRef<{ round: number; settle: () => void }[]>([]);

  useEffect(() => {
    let current = true;
    setLoading(true);
    const settled = (apply: () => void) => {
      if (!current || round < asked.current) return;
      apply();
      setLoading(false);
      const [due, later] = partition(waiting.current, (waiter) => waiter.round <= round);
      waiting.current = later;
      for (const waiter of due) waiter.settle();
    };
    load().then(
      (value) => { settled(() => { setData(value); setError(null); }); },
      (caught: unknown) => { settled(() => { setError(caught); }); },
    );
    return () => { current = false; };
  }, [load, round]);

  // A screen that goes away leaves no one waiting for a load it will never show.
  useEffect(
    () => () => {
      for (const waiter of waiting.current.splice(0)) waiter.settle();
    },
    [],
  );

  const reload = useCallback(() => {
    asked.current += 1;
    setRound(asked.current);
  }, []);
  const refresh = useCallback(() => {
    reload();
    const due = asked.current;
    return new Promise<void>((settle) => { waiting.current.push({ round: due, settle }); });
  }, [reload]);
  return { data, error, loading, reload, refresh };
}

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}
