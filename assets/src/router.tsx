/**
 * Client-side navigation: the address bar is the state. `navigate` changes it
 * without a page load, `useLocation` re-renders on every change (including
 * Back and Forward), and `Link` is an ordinary <a> that a plain click turns
 * into `navigate`, so new tabs, copying and screen readers behave as usual.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ComponentChildren, TargetedMouseEvent } from 'preact';

export interface Location {
  path: string;
  query: URLSearchParams;
}

const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

window.addEventListener('popstate', notify);

function read(): Location {
  return { path: location.pathname.replace(/\/+$/, '') || '/', query: new URLSearchParams(location.search) };
}

/** Goes to `to` (a path with an optional query) inside the app. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace === true) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  notify();
}

/** The current path (without a trailing slash) and query; re-renders when either changes. */
export function useLocation(): Location {
  const [current, setCurrent] = useState(read);
  useEffect(() => {
    const update = (): void => { setCurrent(read()); };
    listeners.add(update);
    update();
    return () => { listeners.delete(update); };
  }, []);
  return current;
}

/** The parameters of `path` when it matches `pattern` (`/link/:token`), otherwise null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const have = path.split('/');
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (const [index, part] of want.entries()) {
    const actual = have[index] ?? '';
    if (part.startsWith(':')) {
      if (actual === '') return null;
      try {
        params[part.slice(1)] = decodeURIComponent(actual);
      } catch {
        return null;
      }
    } else if (part !== actual) {
      return null;
    }
  }
  return params;
}

/** A local path that is safe to return to after signing in: same origin, not the sign-in page. */
export function safeReturnPath(value: string | null): string | undefined {
  if (value === null || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return undefined;
  if (value === '/signin' || value.startsWith('/signin?')) return undefined;
  return value;
}

interface LinkProps {
  href: string;
  class?: string;
  'aria-current'?: 'page' | undefined;
  'aria-describedby'?: string;
  'data-testid'?: string;
  children?: ComponentChildren;
}

/** An in-app link: a plain left click navigates without a reload. */
export function Link({ href, ...rest }: LinkProps) {
  const follow = (event: TargetedMouseEvent<HTMLAnchorElement>): void => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={follow} {...rest} />;
}

/** Replaces the current address with `to` once rendered. */
export function Redirect({ to }: { to: string }) {
  useEffect(() => { navigate(to, { replace: true }); }, [to]);
  return null;
}
