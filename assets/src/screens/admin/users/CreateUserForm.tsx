/** Adding one user; the server answers with their invitation link, shown here to hand over. */
import { useState } from 'preact/hooks';
import { t } from '../../../i18n';
import { createUser, type NewUser } from '../../../api/org';
import { TextField } from '../../../components/Field';
import { IssueLinkForm, useLinkIssuer } from '../../../components/IssueLinkForm';
import { OneTimeLink } from '../../../components/OneTimeLink';

const text = t.admin.users.create;

export function CreateUserForm({ onCreated }: { onCreated: () => void }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [studentNumber, setStudentNumber] = useState('');
  const issuer = useLinkIssuer<'email' | 'name'>();
  const { errors, issued } = issuer;

  const submit = (): Promise<void> =>
    issuer.submit({ email, name }, async () => {
      const user: NewUser = { email: email.trim(), display_name: name.trim() };
      if (studentNumber.trim() !== '') user.student_number = studentNumber.trim();
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
      </IssueLinkForm>
      {issued !== null && (
        <OneTimeLink label={issued.label} link={issued.link.link} expiresAt={issued.link.expires_at} testId="invitation-link" />
      )}
    </section>
  );
}
