/**
 * The one HTTP client of the examhall front end. It talks to `/api/v1`, sends
 * and reads JSON, and turns every failure into an `ApiError`: the server's
 * `application/problem+json` body (RFC 9457) when there is one, a synthetic
 * problem otherwise, so callers handle one error type.
 */

/** An RFC 9457 problem as examhall sends it. `type` is stable; match on it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
}

/** A failed API call. `problem.type` tells what went wrong. */
export class ApiError extends Error {
  readonly problem: Problem;

  constructor(problem: Problem, options?: ErrorOptions) {
    super(problem.detail ?? problem.title, options);
    this.name = 'ApiError';
    this.problem = problem;
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

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  /** Extra headers, e.g. the CSRF token on state-changing requests. */
  headers?: Record<string, string>;
}

/** Calls `/api/v1{path}` and returns the parsed JSON body (undefined for 204). */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  const init: RequestInit = {
    method: options.method ?? 'GET',
    headers,
    credentials: 'same-origin',
  };
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
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
  if (!response.ok) throw await toApiError(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** Reads a problem+json body, or describes the response when it has none. */
export async function toApiError(response: Response): Promise<ApiError> {
  const fallback: Problem = {
    type: clientProblem.unexpected,
    title: response.statusText || 'Request failed',
    status: response.status,
  };
  const contentType = response.headers.get('Content-Type') ?? '';
  if (!contentType.startsWith('application/problem+json')) return new ApiError(fallback);
  try {
    return new ApiError(parseProblem(await response.json(), fallback));
  } catch (cause) {
    return new ApiError(fallback, { cause });
  }
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
  return problem;
}
