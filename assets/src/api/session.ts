/**
 * Signing in and out, the caller's sessions, their password and one-time
 * links. Every call that returns a session view hands its CSRF token to the
 * client, so the requests that follow carry it.
 */
import { api, ApiError, setCsrfToken } from './client';
import type { CandidateLinkView, LinkView, SessionItem, SessionView } from './types';

function remember(view: SessionView): SessionView {
  setCsrfToken(view.csrf_token);
  return view;
}

/** Who is signed in, or `null` when nobody is. */
export async function currentSession(): Promise<SessionView | null> {
  try {
    return remember(await api<SessionView>('/session', { unauthorizedIsAnswer: true }));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      setCsrfToken(undefined);
      return null;
    }
    throw error;
  }
}

export interface Credentials {
  /** The organization's slug; absent for a platform administrator. */
  org?: string;
  email: string;
  password: string;
}

export async function signIn(credentials: Credentials): Promise<SessionView> {
  return remember(
    await api<SessionView>('/session', { method: 'POST', body: credentials, unauthorizedIsAnswer: true }),
  );
}

/** How long sign-in keeps trying through a server busy checking passwords. */
const SIGN_IN_PATIENCE_MS = 180_000;
/** The longest wait between two tries, whatever `Retry-After` says (a proxy may say an hour). */
const LONGEST_WAIT_MS = 10_000;

/**
 * Signs in, waiting out the server's "busy" answers (503 with
 * `Retry-After`: its password checks are queued to capacity, as when a
 * whole hall signs in at 09:00) instead of showing an error the student
 * must answer by clicking again. `onQueued` hears each wait, in seconds.
 * Each wait adds up to a second at random, so a hall refused together does
 * not come back together; no wait is longer than ten seconds. Any other
 * answer, and a wait past three minutes, is thrown as usual; once
 * `leaving` is aborted (the page is left) the wait ends and no further try
 * is made.
 */
export async function signInWhenServed(
  credentials: Credentials,
  onQueued: (seconds: number) => void,
  leaving: AbortSignal,
): Promise<SessionView> {
  const began = Date.now();
  for (;;) {
    leaving.throwIfAborted();
    try {
      return await signIn(credentials);
    } catch (error) {
      const busy = error instanceof ApiError && error.status === 503 && error.retryAfter !== undefined;
      if (!busy || Date.now() - began > SIGN_IN_PATIENCE_MS) throw error;
      const wait = Math.min(error.retryAfter * 1000, LONGEST_WAIT_MS) + Math.random() * 1000;
      onQueued(Math.ceil(wait / 1000));
      await pause(wait, leaving);
    }
  }
}

/** Waits `ms`, or less when `signal` is aborted first. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

/** Ends this session; a 401 (already ended) is thrown like any other answer. */
export async function signOut(): Promise<void> {
  await api<undefined>('/session', { method: 'DELETE', unauthorizedIsAnswer: true });
  setCsrfToken(undefined);
}

export const listSessions = (): Promise<SessionItem[]> => api('/sessions');

export const endSession = (id: string): Promise<void> =>
  api(`/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' });

export const changePassword = (currentPassword: string, newPassword: string): Promise<void> =>
  api('/password', { method: 'POST', body: { current_password: currentPassword, new_password: newPassword } });

/** What a one-time link is for; a 404 means expired, used or unknown. */
export const readLink = (token: string): Promise<LinkView> =>
  api(`/links/${encodeURIComponent(token)}`, { unauthorizedIsAnswer: true });

export type LinkAnswer = { email: string; display_name: string; password: string } | { password: string };

export const redeemLink = (token: string, answer: LinkAnswer): Promise<void> =>
  api(`/links/${encodeURIComponent(token)}`, { method: 'POST', body: answer, unauthorizedIsAnswer: true });

/** What a candidate link opens (exam and candidate); a 404 means used, revoked, expired or unknown. */
export const readCandidateLink = (token: string): Promise<CandidateLinkView> =>
  api(`/candidate-links/${encodeURIComponent(token)}`, { unauthorizedIsAnswer: true });

/** Uses a candidate link: signs this browser in as the candidate. The link then stops working. */
export async function startCandidateLink(token: string): Promise<SessionView> {
  return remember(
    await api<SessionView>(`/candidate-links/${encodeURIComponent(token)}`, { method: 'POST', unauthorizedIsAnswer: true }),
  );
}
