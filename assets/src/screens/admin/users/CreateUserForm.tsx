/**
 * Adding one user, with their role and its place in the same step (the
 * whole organization, a course, or a course's section, as the role needs);
 * the server answers with their invitation link, shown here to hand over.
 */
import { useState } from 'preact/hooks';
import { t } from '../../../i18n';
import { createUser, type NewUser } from '../../../api/org';
import type { Course, Role } from '../../../api/types';
import { SelectField, TextField } from '../../../components/Field';
import { IssueLinkForm, useLinkIssuer } from '../../../components/IssueLinkForm';
import { OneTimeLink } from '../../../components/OneTimeLink';

const text = t.admin.users.create;
const ROLES: Role[] = ['student', 'proctor', 'instructor', 'reviewer', 'org_admin'];

/** Where a role is held: nowhere else for an org admin, a course, or a section. */
const placeOf = (role: Role | ''): 'none' | 'course' | 'section' =>
  role === 'instructor' || role === 'reviewer' ? 'course' : role === 'proctor' || role === 'student' ? 'section' : 'none';

export function CreateUserForm({ courses, onCreated }: { courses: Course[]; onCreated: () => void }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [studentNumber, setStudentNumber] = useState('');
  const [role, setRole] = useState<Role | ''>('');
  const [place, setPlace] = useState('');
  const issuer = useLinkIssuer<'email' | 'name' | 'place'>();
  const { errors, issued } = issuer;
  const needs = placeOf(role);

  const submit = (): Promise<void> =>
    issuer.submit({ email, name, place: needs === 'none' ? '-' : place }, async () => {
      const user: NewUser = { email: email.trim(), display_name: name.trim() };
      if (studentNumber.trim() !== '') user.student_number = studentNumber.trim();
      if (role !== '') user.role = role;
      if (needs === 'course') user.course_id = place;
      if (needs === 'section') user.section_id = place;
      const created = await createUser(user);
      setEmail('');
      setName('');
      setStudentNumber('');
      onCreated();
      return { link: created, label: text.linkLabel(created.user.display_name) };
    });

  return (
    <section class="panel" aria-labelledby="create-user-heading">
      <h3 id="create-user-heading">{text.heading}</h3>
      <IssueLinkForm
        issuer={issuer}
        onSubmit={submit}
        submitLabel={text.submit}
        testIds={{ form: 'create-user-form', error: 'create-user-error', submit: 'create-user-submit' }}
      >
        <TextField label={text.email} type="email" value={email} onValue={setEmail} error={errors.email} spellcheck={false} testId="user-email" />
        <TextField label={text.name} value={name} onValue={setName} error={errors.name} testId="user-name" />
        <TextField
          label={text.studentNumber}
          hint={text.studentNumberHint}
          optional
          value={studentNumber}
          onValue={setStudentNumber}
          testId="user-student-number"
        />
        <SelectField
          label={text.role}
          hint={text.roleHint}
          optional
          value={role}
          onValue={(value) => { setRole(value as Role | ''); setPlace(''); }}
          testId="user-role"
        >
          <option value="">{text.noRole}</option>
          {ROLES.map((candidate) => <option key={candidate} value={candidate}>{t.roles[candidate]}</option>)}
        </SelectField>
        {needs === 'course' && (
          <SelectField label={text.course} value={place} onValue={setPlace} error={errors.place} testId="user-place">
            <option value="">{text.chooseCourse}</option>
            {courses.map((course) => (
              <option key={course.id} value={course.id}>{t.common.withDetail(course.code, course.title)}</option>
            ))}
          </SelectField>
        )}
        {needs === 'section' && (
          <SelectField label={text.section} value={place} onValue={setPlace} error={errors.place} testId="user-place">
            <option value="">{text.chooseSection}</option>
            {courses.flatMap((course) =>
              course.sections.map((section) => (
                <option key={section.id} value={section.id}>{t.admin.roles.sectionScope(course.code, section.name)}</option>
              )),
            )}
          </SelectField>
        )}
      </IssueLinkForm>
      {issued !== null && (
        <OneTimeLink label={issued.label} link={issued.link.link} expiresAt={issued.link.expires_at} testId="invitation-link" />
      )}
    </section>
  );
}
