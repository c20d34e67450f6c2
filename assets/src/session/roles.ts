/**
 * What a session view allows, in one place: which screens a person may open,
 * which navigation they see, and where they land after signing in. The server
 * enforces the same rules on every API call; these only shape the pages.
 */
import type { Role, SessionView } from '../api/types';

export type Access = 'public' | 'signedIn' | 'platform' | 'orgAdmin' | 'staff' | 'member';

const staffRoles: readonly Role[] = ['instructor', 'reviewer', 'proctor'];

const holds = (view: SessionView, roles: readonly Role[]): boolean =>
  view.realm === 'org' && view.roles.some((grant) => roles.includes(grant.role));

export const isPlatformAdmin = (view: SessionView): boolean => view.realm === 'platform';
export const isOrgAdmin = (view: SessionView): boolean => holds(view, ['org_admin']);
export const isStaff = (view: SessionView): boolean => holds(view, staffRoles);
export const isStudent = (view: SessionView): boolean => holds(view, ['student']);

/** Whether `view` may open a screen that needs `access`. */
export function allows(view: SessionView | null, access: Access): boolean {
  if (access === 'public') return true;
  if (view === null) return false;
  switch (access) {
    case 'signedIn':
      return true;
    case 'platform':
      return isPlatformAdmin(view);
    case 'orgAdmin':
      return isOrgAdmin(view);
    case 'staff':
      return isStaff(view);
    case 'member':
      return view.realm === 'org';
  }
}

/** Where a person goes after signing in, or when they open `/`. */
export function landingPath(view: SessionView): string {
  if (isPlatformAdmin(view)) return '/platform';
  if (isOrgAdmin(view)) return '/admin';
  if (isStaff(view)) return '/courses';
  return '/home';
}
