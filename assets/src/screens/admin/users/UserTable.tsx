/** The organization's users, filtered by a search box, one UserRow each. */
import { useState } from 'preact/hooks';
import { t } from '../../../i18n';
import type { Course, IssuedLink, OrgUser } from '../../../api/types';
import { useConfirm } from '../../../components/ConfirmDialog';
import { TextField } from '../../../components/Field';
import { useSession } from '../../../session/SessionProvider';
import { UserRow } from './UserRow';

const text = t.admin.users;

/** A password link just issued, and the label naming whose it is. */
export interface IssuedFor {
  link: IssuedLink;
  label: string;
}

interface Props {
  users: OrgUser[];
  courses: Course[];
  onChanged: () => void;
  onIssued: (issued: IssuedFor) => void;
}

function matches(user: OrgUser, needle: string): boolean {
  if (needle === '') return true;
  return [user.display_name, user.email, user.student_number ?? ''].some((value) => value.toLowerCase().includes(needle));
}

export function UserTable({ users, courses, onChanged, onIssued }: Props) {
  const selfId = useSession().view?.user.id;
  const [filter, setFilter] = useState('');
  const [dialog, confirm] = useConfirm();
  const shown = users.filter((user) => matches(user, filter.trim().toLowerCase()));

  return (
    <section class="panel" aria-labelledby="users-heading">
      <h3 id="users-heading" data-testid="users-caption">{text.caption(shown.length, users.length)}</h3>
      {users.length === 0 ? (
        <p class="empty">{text.empty}</p>
      ) : (
        <>
          <div class="form--narrow">
            <TextField label={text.filter} hint={text.filterHint} type="search" optional value={filter} onValue={setFilter} testId="user-filter" />
          </div>
          {shown.length === 0 ? (
            <p class="empty">{text.noMatch}</p>
          ) : (
            <div class="table-wrap">
              <table class="table" data-testid="users">
                <thead>
                  <tr>
                    <th scope="col">{text.name}</th>
                    <th scope="col">{text.email}</th>
                    <th scope="col">{text.studentNumber}</th>
                    <th scope="col">{text.status}</th>
                    <th scope="col">{text.roles}</th>
                    <th scope="col">{text.lastSignIn}</th>
                    <th scope="col">{text.actions}</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((user) => (
                    <UserRow key={user.id} user={user} self={user.id === selfId} courses={courses} confirm={confirm} onChanged={onChanged} onIssued={onIssued} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
      {dialog}
    </section>
  );
}
