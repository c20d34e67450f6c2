/**
 * The sentence to show for a failed request: the server's own `detail` (or
 * `title`) from its problem+json answer, and catalogue text for what the
 * server could not say itself (no network, too many attempts, no problem body).
 */
import { ApiError, clientProblem } from '../api/client';
import { t } from '../i18n';

export function problemText(error: unknown): string {
  if (!(error instanceof ApiError)) return t.errors.unexpected(0);
  if (error.status === 429) return t.errors.tooManyAttempts(error.retryAfter);
  if (error.type === clientProblem.network) return t.errors.network;
  if (error.type === clientProblem.unexpected && error.problem.detail === undefined) {
    return t.errors.unexpected(error.status);
  }
  return error.problem.detail ?? error.problem.title;
}

/** Whether `error` is the server's 404: an unknown, foreign or expired thing. */
export const isNotFound = (error: unknown): boolean => error instanceof ApiError && error.status === 404;
