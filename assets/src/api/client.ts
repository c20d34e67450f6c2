/**
 * The one HTTP client of the examhall front end. It talks to `/api/v1`, sends
 * and reads JSON, and turns every failure into an `ApiError`: the server's
 * `application/problem+json` body (RFC 9457) when there is one, a synthetic
 * problem otherwise, so callers handle one error type.
 *
 * It also carries the session's CSRF token: the last session view hands it
 * over (`setCsrfToken`), and every request that changes state sends it in
 * `X-CSRF-Token`. The session cookie itself is HttpOnly; this code never sees it.
 */

/** An RFC 9457 problem as examhall sends it. `type` is stable; match on it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  /** A save batch that left a gap: every change up to this one is saved. */
  acked_seq?: number;
}

/** A failed API call. `problem.type` tells what went wrong. */
export class ApiError extends Error {
  readonly problem: Problem;
  /** Seconds to wait before trying again, from `Retry-After` (429 answers). */
  readonly retryAfter: number | undefined;

  constructor(problem: Problem, options?: ErrorOptions & { retryAfter?: number | undefined }) {
    super(problem.detail ?? problem.title, options);
    this.name = 'ApiError';
    this.problem = problem;
    this.retryAfter = options?.retryAfter;
  }

  get status(): number {
    return this.problem.status;
  }

  get type(): string {
    return this.problem.type;
  }
}

/** Problem types the client makes up when the server did not send one. */
export const clientProblem = {
  network: 'about:examhall/network',
  unexpected: 'about:blank',
} as const;

const base = '/api/v1';

/** The CSRF token of the current session, sent on every state-changing request. */
let csrfToken: string | undefined;

/** Keeps the token from the latest session view; `undefined` after sign-out. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/**
 * Fetches the session (and so its CSRF token) when a state-changing request
 * finds no token: set while the session could not be checked because the
 * server was unreachable (the exam client loaded offline), so the first save
 * after the network returns carries the token.
 */
let csrfRecovery: (() => Promise<unknown>) | undefined;
let recovering: Promise<unknown> | null = null;

export function setCsrfRecovery(recover: (() => Promise<unknown>) | undefined): void {
  csrfRecovery = recover;
}

/** Called when a request answers 401: the session is gone, so sign in again. */
let onUnauthorized: (() => void) | undefined;

export function setUnauthorizedHandler(handler: (() => void) | undefined): void {
  onUnauthorized = handler;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is with its own media type, e.g. a CSV file; instead of `body`. */
  raw?: { type: string; content: string };
  signal?: AbortSignal;
  /** Extra headers. */
  headers?: Record<string, string>;
  /**
   * A 401 is an answer here, not a lost session: signing in with a wrong
   * password, or asking whether anyone is signed in at all.
   */
  unauthorizedIsAnswer?: boolean;
}

/** Calls `/api/v1{path}` and returns the parsed JSON body (undefined when there is none). */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  if (method !== 'GET' && csrfToken === undefined && csrfRecovery !== undefined) {
    recovering ??= csrfRecovery().catch(() => undefined).finally(() => { recovering = null; });
    await recovering;
  }
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (method !== 'GET') {
    if (csrfToken !== undefined) headers['X-CSRF-Token'] = csrfToken;
    headers['Content-Type'] = 'application/json';
  }
  if (options.raw !== undefined) {
    headers['Content-Type'] = options.raw.type;
    init.body = options.raw.content;
  } else if (options.body !== undefined) {
    init.body = JSON.stringify(options.body);
  }
  if (options.signal !== undefined) init.signal = options.signal;

  let response: Response;
  try {
    response = await fetch(`${base}${path}`, init);
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError({ type: clientProblem.network, title: 'Network error', status: 0 }, { cause });
  }
  if (!response.ok) {
    const error = await toApiError(response);
    if (error.status === 401 && options.unauthorizedIsAnswer !== true) onUnauthorized?.();
    throw error;
  }
  if (response.status === 204 || response.status === 205) return undefined as T;
  // A success with no body (a 201 or 202 that only says "done") is no answer to parse.
  const body = await response.text();
  return (body === '' ? undefined : JSON.parse(body)) as T;
}

/** Reads a problem+json body, or describes the response when it has none. */
export async function toApiError(response: Response): Promise<ApiError> {
  const fallback: Problem = {
    type: clientProblem.unexpected,
    title: response.statusText || 'Request failed',
    status: response.status,
  };
  const retryAfter = parseRetryAfter(response.headers.get('Retry-After'));
  const contentType = response.headers.get('Content-Type') ?? '';
  if (!contentType.startsWith('application/problem+json')) return new ApiError(fallback, { retryAfter });
  try {
    return new ApiError(parseProblem(await response.json(), fallback), { retryAfter });
  } catch (cause) {
    return new ApiError(fallback, { cause, retryAfter });
  }
}

/** `Retry-After` as whole seconds from now: delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

function parseProblem(body: unknown, fallback: Problem): Problem {
  if (typeof body !== 'object' || body === null) return fallback;
  const fields = body as Partial<Record<keyof Problem, unknown>>;
  const problem: Problem = {
    type: typeof fields.type === 'string' ? fields.type : fallback.type,
    title: typeof fields.title === 'string' ? fields.title : fallback.title,
    status: typeof fields.status === 'number' ? fields.status : fallback.status,
  };
  if (typeof fields.detail === 'string') problem.detail = fields.detail;
  if (typeof fields.acked_seq === 'number') problem.acked_seq = fields.acked_seq;
  return problem;
}
