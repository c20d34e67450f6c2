/**
 * The organization administrator's calls: users, courses and sections, role
 * grants, roster import and the audit log. The server scopes each to the
 * caller's organization.
 */
import { api } from './client';
import type { AuditEntry, AuditFilter, Course, Grant, IssuedLink, OrgUser, Role, RosterReport, Section } from './types';

const id = (value: string): string => encodeURIComponent(value);

export const listUsers = (): Promise<OrgUser[]> => api('/org/users');

export interface NewUser {
  email: string;
  display_name: string;
  student_number?: string;
  /** A role granted at once: org_admin (no place), instructor or reviewer (`course_id`), proctor or student (`section_id`). */
  role?: Role;
  course_id?: string;
  section_id?: string;
}

export const createUser = (user: NewUser): Promise<IssuedLink & { user: OrgUser }> =>
  api('/org/users', { method: 'POST', body: user });

export const updateUser = (
  userId: string,
  change: { display_name?: string; email?: string; status?: OrgUser['status'] },
): Promise<OrgUser> => api(`/org/users/${id(userId)}`, { method: 'PATCH', body: change });

/** Invitation links in bulk, for people who have not chosen a password yet; shown once. */
export interface IssuedInvitations {
  links: { user_id: string; email: string; display_name: string; student_number: string | null; link: string }[];
  skipped: { user_id: string; reason: 'has_password' | 'disabled' }[];
  expires_at: string;
}

export const issueInvitations = (userIds: string[]): Promise<IssuedInvitations> =>
  api('/org/invitations', { method: 'POST', body: { user_ids: userIds } });

export const issuePasswordReset = (userId: string): Promise<IssuedLink> =>
  api(`/org/users/${id(userId)}/password-reset`, { method: 'POST' });

/** Forgets the failed sign-ins counted against a user, from every address and device. */
export const clearSignInLimits = (userId: string): Promise<void> =>
  api(`/org/users/${id(userId)}/sign-in-limits`, { method: 'DELETE' });

/** An exam an erasure waits for: it still holds the person's attempt. */
export interface ErasureWaitsFor {
  exam_id: string;
  title: string;
  closes_at: string;
  /** A legal hold keeps it: nothing of it is purged until the hold is released. */
  held: boolean;
}

/** A recorded request to erase a student: the next purge carries it out once no exam holds their attempts. */
export interface Erasure {
  /** `false` when it was recorded before. */
  new: boolean;
  waits_for: ErasureWaitsFor[];
  /** The hour (UTC) of the daily purge; `null` when IT purges by hand. */
  daily_utc_hour: number | null;
}

export const erasePerson = (userId: string): Promise<Erasure> =>
  api(`/org/users/${id(userId)}/erasure`, { method: 'POST' });

export const cancelErasure = (userId: string): Promise<void> =>
  api(`/org/users/${id(userId)}/erasure`, { method: 'DELETE' });

export const listCourses = (): Promise<Course[]> => api('/org/courses');

export const createCourse = (code: string, title: string): Promise<Course> =>
  api('/org/courses', { method: 'POST', body: { code, title } });

export const createSection = (courseId: string, name: string): Promise<Section> =>
  api(`/org/courses/${id(courseId)}/sections`, { method: 'POST', body: { name } });

export const listGrants = (): Promise<Grant[]> => api('/org/grants');

export interface NewGrant {
  user_id: string;
  role: Role;
  course_id?: string;
  section_id?: string;
}

export const createGrant = (grant: NewGrant): Promise<Grant> => api('/org/grants', { method: 'POST', body: grant });

export const revokeGrant = (grantId: string): Promise<void> => api(`/org/grants/${id(grantId)}`, { method: 'DELETE' });

const csv = (content: string) => ({ type: 'text/csv', content });

export const previewRoster = (content: string): Promise<RosterReport> =>
  api('/org/roster/preview', { method: 'POST', raw: csv(content) });

export const importRoster = (content: string): Promise<RosterReport> =>
  api('/org/roster/import', { method: 'POST', raw: csv(content) });

/** The query string of an audit filter, shared by the list and the CSV export. */
export function auditQuery(filter: AuditFilter): string {
  const params = new URLSearchParams();
  if (filter.actor !== undefined && filter.actor !== '') params.set('actor', filter.actor);
  if (filter.action !== undefined && filter.action !== '') params.set('action', filter.action);
  if (filter.from !== undefined) params.set('from', filter.from);
  if (filter.to !== undefined) params.set('to', filter.to);
  if (filter.limit !== undefined) params.set('limit', String(filter.limit));
  if (filter.before !== undefined) params.set('before', String(filter.before));
  const query = params.toString();
  return query === '' ? '' : `?${query}`;
}

export const listAudit = (filter: AuditFilter): Promise<AuditEntry[]> => api(`/org/audit${auditQuery(filter)}`);

/** Where the browser downloads the filtered log as CSV (a plain GET with the session cookie). */
export const auditCsvHref = (filter: AuditFilter): string => `/api/v1/org/audit.csv${auditQuery(filter)}`;

/** Everything held about one person (a subject-access export, audited), as JSON or CSV. */
export const personalDataHref = (userId: string, format: 'json' | 'csv'): string =>
  `/api/v1/org/users/${encodeURIComponent(userId)}/export${format === 'csv' ? '.csv' : ''}`;
