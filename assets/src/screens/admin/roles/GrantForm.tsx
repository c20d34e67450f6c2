/**
 * Granting a role. The role decides the scope: the organization administrator
 * role has none, instructor and reviewer take a course, proctor and student a
 * section; only the matching selector is shown.
 */
import { useRef, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { t } from '../../../i18n';
import { createGrant, type NewGrant } from '../../../api/org';
import type { Course, OrgUser, Role } from '../../../api/types';
import { focusFirstInvalid, SelectField } from '../../../components/Field';
import { PersonPicker } from '../../../components/PersonPicker';
import { DoneNotice, ErrorNotice } from '../../../components/ErrorNotice';
import { useAction } from '../../../hooks/useAction';

const text = t.admin.roles.form;
const roleOrder: Role[] = ['org_admin', 'instructor', 'reviewer', 'proctor', 'student'];

type Scope = 'org' | 'course' | 'section';
const scopeOf = (role: Role): Scope =>
  role === 'org_admin' ? 'org' : role === 'instructor' || role === 'reviewer' ? 'course' : 'section';

type Errors = Partial<Record<'user' | 'course' | 'section', string>>;

interface Props {
  users: OrgUser[];
  courses: Course[];
  onGranted: () => void;
}

export function GrantForm({ users, courses, onGranted }: Props) {
  const [userId, setUserId] = useState('');
  const [role, setRole] = useState<Role>('instructor');
  const [courseId, setCourseId] = useState('');
  const [sectionId, setSectionId] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const form = useRef<HTMLFormElement>(null);
  const scope = scopeOf(role);
  const people = users.filter((user) => user.status === 'active').sort((a, b) => a.display_name.localeCompare(b.display_name));

  const submit = async (event: TargetedSubmitEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    setDone(null);
    const found: Errors = {};
    if (userId === '') found.user = t.common.required;
    if (scope === 'course' && courseId === '') found.course = t.common.required;
    if (scope === 'section' && sectionId === '') found.section = t.common.required;
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstInvalid(form.current);
      return;
    }
    const grant: NewGrant = { user_id: userId, role };
    if (scope === 'course') grant.course_id = courseId;
    if (scope === 'section') grant.section_id = sectionId;
    if (await action.run(async () => { await createGrant(grant); })) {
      const person = people.find((user) => user.id === userId)?.display_name ?? '';
      setDone(text.granted(t.roles[role], person));
      setUserId('');
      onGranted();
    }
  };

  return (
    <section class="panel" aria-labelledby="grant-heading">
      <h3 id="grant-heading">{text.heading}</h3>
      <form ref={form} class="form--narrow" noValidate onSubmit={(event) => { void submit(event); }} data-testid="grant-form">
        <PersonPicker label={text.user} people={people} value={userId} onValue={setUserId} none={text.chooseUser} error={errors.user} testId="grant-user" />
        <SelectField
          label={text.role}
          value={role}
          onValue={(value) => { setRole(value as Role); }}
          hint={t.admin.roles.scopeHint[role]}
          testId="grant-role"
        >
          {roleOrder.map((candidate) => (
            <option key={candidate} value={candidate}>{t.roles[candidate]}</option>
          ))}
        </SelectField>
        {scope === 'course' && (
          <SelectField label={text.course} value={courseId} onValue={setCourseId} error={errors.course} testId="grant-course">
            <option value="">{text.chooseCourse}</option>
            {courses.map((course) => (
              <option key={course.id} value={course.id}>{t.common.course(course.code, course.title)}</option>
            ))}
          </SelectField>
        )}
        {scope === 'section' && (
          <SelectField label={text.section} value={sectionId} onValue={setSectionId} error={errors.section} testId="grant-section">
            <option value="">{text.chooseSection}</option>
            {courses.filter((course) => course.sections.length > 0).map((course) => (
              <optgroup key={course.id} label={t.common.course(course.code, course.title)}>
                {course.sections.map((section) => (
                  <option key={section.id} value={section.id}>{t.admin.roles.sectionScope(course.code, section.name)}</option>
                ))}
              </optgroup>
            ))}
          </SelectField>
        )}
        <ErrorNotice error={action.error} testId="grant-error" />
        <DoneNotice text={done} testId="grant-done" />
        <div class="actions">
          <button type="submit" class="button" disabled={action.busy} data-testid="grant-submit">
            {text.submit}
          </button>
        </div>
      </form>
    </section>
  );
}
