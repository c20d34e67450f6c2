/** Loading and failed-to-load states of a screen or panel. */
import type { ComponentChildren } from 'preact';
import { t } from '../i18n';
import type { Loaded } from '../hooks/useLoad';
import { ErrorNotice } from './ErrorNotice';

export function Loading() {
  return (
    <p class="loading" role="status">
      {t.common.loading}
    </p>
  );
}

interface Props<T> {
  loaded: Loaded<T>;
  children: (data: T) => ComponentChildren;
}

/** Renders `children` with the data once loaded; until then a loading line or the error with a retry button. */
export function WhenLoaded<T>({ loaded, children }: Props<T>) {
  if (loaded.data !== undefined) {
    return (
      <>
        {loaded.error !== null && <ErrorNotice error={loaded.error} testId="load-error" />}
        {children(loaded.data)}
      </>
    );
  }
  if (loaded.loading) return <Loading />;
  return (
    <div>
      <ErrorNotice error={loaded.error} testId="load-error" />
      <button type="button" class="button button--secondary" onClick={loaded.reload}>
        {t.common.retry}
      </button>
    </div>
  );
}
