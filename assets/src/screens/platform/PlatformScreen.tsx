/**
 * The platform administrator's one screen (`/platform`): organizations,
 * creating them, renaming and (de)activating them, and inviting each one's
 * first administrator. Nothing here reaches exam content.
 */
import { t } from '../../i18n';
import { listOrgs } from '../../api/platform';
import { WhenLoaded } from '../../components/Status';
import { useLoad } from '../../hooks/useLoad';
import { CreateOrgForm } from './CreateOrgForm';
import { InviteAdminForm } from './InviteAdminForm';
import { OrgTable } from './OrgTable';
import { StatusPanel } from './StatusPanel';

export function PlatformScreen() {
  const loaded = useLoad(listOrgs);

  return (
    <>
      <h1>{t.platform.heading}</h1>
      <p class="lead">{t.platform.intro}</p>
      <WhenLoaded loaded={loaded}>
        {(orgs) => (
          <>
            <OrgTable orgs={orgs} onChanged={loaded.reload} />
            <CreateOrgForm onCreated={loaded.reload} />
            <InviteAdminForm orgs={orgs} />
            <StatusPanel />
          </>
        )}
      </WhenLoaded>
    </>
  );
}
