/**
 * The signed-in person, shared with every screen. It asks the server the
 * first time a screen needs to know (`ensure`; the readiness check and
 * one-time links never do), keeps the view that signing in returns, and
 * forgets it on sign-out or when any request answers 401, sending the person
 * to the sign-in page.
 */
import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, clientProblem, setCsrfRecovery, setUnauthorizedHandler } from '../api/client';
import { currentSession, signOut as endSession } from '../api/session';
import type { SessionView } from '../api/types';
import { navigate } from '../router';
import { forgetHandoffs } from '../exam/handoff';
import { forgetSettled, setOccupant } from '../exam/store';

export type SessionState =
  | { status: 'unknown' }
  | { status: 'loading' }
  | { status: 'failed'; error: unknown }
  | { status: 'ready'; view: SessionView | null };

export interface SessionHandle {
  state: SessionState;
  /** The view once known; null while loading, after a failure or when signed out. */
  view: SessionView | null;
  /** Stores the view a sign-in returned. */
  signedIn: (view: SessionView) => void;
  /** Asks the server unless it has been asked already. */
  ensure: () => void;
  /** Asks the server again, e.g. after a password change. */
  refresh: () => Promise<void>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionHandle | null>(null);

export function useSession(): SessionHandle {
  const handle = useContext(SessionContext);
  if (handle === null) throw new Error('useSession outside SessionProvider');
  return handle;
}

/** The sign-in page after the server ended the session, returning to `path` afterwards. */
function signInAgainPath(path: string): string {
  const query = new URLSearchParams({ ended: '1' });
  if (path !== '/' && !path.startsWith('/signin')) query.set('next', path);
  return `/signin?${query.toString()}`;
}

export function SessionProvider({ children }: { children: ComponentChildren }) {
  const [state, setState] = useState<SessionState>({ status: 'unknown' });

  const refresh = useCallback(async (): Promise<void> => {
    try {
      setState({ status: 'ready', view: await currentSession() });
      setCsrfRecovery(undefined);
    } catch (error) {
      setState({ status: 'failed', error });
      // Unreachable (the exam client goes on offline): ask again before the next change is sent.
      if (error instanceof ApiError && error.type === clientProblem.network) setCsrfRecovery(refresh);
    }
  }, []);

  const asked = useRef(false);
  const ensure = useCallback(() => {
    if (asked.current) return;
    asked.current = true;
    setState({ status: 'loading' });
    void refresh();
  }, [refresh]);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      asked.current = true;
      setState({ status: 'ready', view: null });
      // Several requests in flight can each find the session gone: the first
      // one leads to the sign-in page; the others must not replace its return path.
      if (location.pathname === '/signin') return;
      navigate(signInAgainPath(location.pathname + location.search), { replace: true });
    });
    return () => { setUnauthorizedHandler(undefined); };
  }, []);

  const signedIn = useCallback((view: SessionView) => {
    asked.current = true;
    setState({ status: 'ready', view });
  }, []);

  const current = useRef<SessionView | null>(null);
  current.current = state.status === 'ready' ? state.view : null;

  // Only a confirmed sign-out forgets the session: on a shared exam-hall
  // computer, "signed out" must never be shown while the session lives on.
  // The person's exam data on this computer goes with it, except unsent
  // work, which waits for them (exam/store.ts), and so does what the exam
  // screens handed each other in memory (their receipt and code).
  const signOut = useCallback(async () => {
    try {
      await endSession();
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) throw error;
    }
    const userId = current.current?.user.id;
    await setOccupant(undefined).catch(() => undefined);
    if (userId !== undefined) await forgetSettled(userId).catch(() => undefined);
    forgetHandoffs();
    asked.current = true;
    setState({ status: 'ready', view: null });
    navigate('/signin');
  }, []);

  const handle = useMemo<SessionHandle>(
    () => ({ state, view: state.status === 'ready' ? state.view : null, signedIn, ensure, refresh, signOut }),
    [state, signedIn, ensure, refresh, signOut],
  );
  return <SessionContext.Provider value={handle}>{children}</SessionContext.Provider>;
}
