/** The platform administrator's calls: organizations and their first administrators. */
import { api } from './client';
import type { IssuedLink, Org } from './types';

export const listOrgs = (): Promise<Org[]> => api('/platform/orgs');

/** One administrator of an organization, as the platform administrator sees them. */
export interface OrgAdmin {
  user_id: string;
  email: string;
  display_name: string;
  status: 'active' | 'disabled';
  /** Whether they have chosen a password (accepted their invitation). */
  has_password: boolean;
  last_sign_in_at: string | null;
  /** Until when a link of theirs still works; `null` when none is open. */
  link_expires_at: string | null;
}

/** The last daily check of one audit log. */
export interface AuditCheck {
  checked_at: string;
  intact: boolean;
  entries: number;
  head: string | null;
  problem: string | null;
}

/** The platform's state, for its status panel. */
export interface PlatformStatus {
  version: string;
  certificate: { fingerprint: string; not_after: string; days_left: number } | null;
  /** Why the certificate cannot be read, when it cannot. */
  certificate_error: string | null;
  platform_bytes: number;
  platform_audit: AuditCheck | null;
  orgs: { id: string; slug: string; active: boolean; bytes: number; audit: AuditCheck | null }[];
  /** The doctor's checks the server last ran itself (daily, or when asked); null before the first. */
  doctor: DoctorReport | null;
}

export type CheckStatus = 'pass' | 'warn' | 'fail';

/** One of the doctor's checks: what was checked, how it came out, what was found and what to do. */
export interface DoctorCheck {
  name: string;
  status: CheckStatus;
  detail: string;
  fix: string | null;
}

export interface DoctorReport {
  ran_at: string;
  /** The worst of the checks. */
  status: CheckStatus;
  checks: DoctorCheck[];
}

/** Runs the doctor's checks now, as the server's own user; 409 while a run is under way. */
export const runDoctor = (): Promise<DoctorReport> => api('/platform/doctor', { method: 'POST' });

export const platformStatus = (): Promise<PlatformStatus> => api('/platform/status');

export const listOrgAdmins = (orgId: string): Promise<OrgAdmin[]> =>
  api(`/platform/orgs/${encodeURIComponent(orgId)}/admins`);

/** A new link for an administrator who lost theirs: an invitation, or a password reset once they have a password. */
export const reissueAdminLink = (orgId: string, userId: string): Promise<IssuedLink & { user_id: string }> =>
  api(`/platform/orgs/${encodeURIComponent(orgId)}/admins/${encodeURIComponent(userId)}/link`, { method: 'POST' });

export const createOrg = (slug: string, name: string): Promise<Org> =>
  api('/platform/orgs', { method: 'POST', body: { slug, name } });

export const updateOrg = (id: string, change: { name?: string; status?: Org['status'] }): Promise<Org> =>
  api(`/platform/orgs/${encodeURIComponent(id)}`, { method: 'PATCH', body: change });

export const inviteOrgAdmin = (
  orgId: string,
  email: string,
  displayName: string,
): Promise<IssuedLink & { user_id: string }> =>
  api(`/platform/orgs/${encodeURIComponent(orgId)}/admins`, {
    method: 'POST',
    body: { email, display_name: displayName },
  });
