/** The platform administrator's calls: organizations and their first administrators. */
import { api } from './client';
import type { IssuedLink, Org } from './types';

export const listOrgs = (): Promise<Org[]> => api('/platform/orgs');

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
