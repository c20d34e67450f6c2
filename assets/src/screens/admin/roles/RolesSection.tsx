/** Role grants: who may do what where. A form to grant, a table to revoke. */
import { t } from '../../../i18n';
import { listCourses, listGrants, listUsers } from '../../../api/org';
import { WhenLoaded } from '../../../components/Status';
import { useLoad } from '../../../hooks/useLoad';
import { GrantForm } from './GrantForm';
import { GrantTable } from './GrantTable';

export function RolesSection() {
  const users = useLoad(listUsers);
  const courses = useLoad(listCourses);
  const grants = useLoad(listGrants);

  return (
    <>
      <p class="lead">{t.admin.roles.intro}</p>
      <WhenLoaded loaded={users}>
        {(userList) => (
          <WhenLoaded loaded={courses}>
            {(courseList) => (
              <>
                <GrantForm users={userList} courses={courseList} onGranted={grants.reload} />
                <WhenLoaded loaded={grants}>
                  {(grantList) => <GrantTable grants={grantList} users={userList} courses={courseList} onChanged={grants.reload} />}
                </WhenLoaded>
              </>
            )}
          </WhenLoaded>
        )}
      </WhenLoaded>
    </>
  );
}
