/**
 * Users of the organization: adding one (with an invitation link), sign-in
 * slips for everyone without a password yet, finding them, disabling and
 * enabling, and issuing password links.
 */
import { useState } from 'preact/hooks';
import { listCourses, listUsers } from '../../../api/org';
import { OneTimeLink } from '../../../components/OneTimeLink';
import { WhenLoaded } from '../../../components/Status';
import { useLoad } from '../../../hooks/useLoad';
import { CreateUserForm } from './CreateUserForm';
import { InvitationSlips } from './InvitationSlips';
import { UserTable, type IssuedFor } from './UserTable';

export function UsersSection() {
  const users = useLoad(listUsers);
  const courses = useLoad(listCourses);
  const [issued, setIssued] = useState<IssuedFor | null>(null);

  return (
    <>
      <CreateUserForm courses={courses.data ?? []} onCreated={users.reload} />
      {issued !== null && (
        <section class="panel" aria-label={issued.label}>
          <OneTimeLink label={issued.label} link={issued.link.link} expiresAt={issued.link.expires_at} testId="reset-link" />
        </section>
      )}
      <WhenLoaded loaded={users}>
        {(list) => (
          <>
            <InvitationSlips users={list} />
            <UserTable users={list} courses={courses.data ?? []} onChanged={users.reload} onIssued={setIssued} />
          </>
        )}
      </WhenLoaded>
    </>
  );
}
