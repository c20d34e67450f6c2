/** Adding one user; the server answers with their invitation link, shown here to hand over. */
import { useRef, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { t } from '../../../i18n';
import { createUser, type NewUser } from '../../../api/org';
import type { IssuedLink } from '../../../api/types';
import { blankFields, focusFirstInvalid, TextField } from '../../../components/Field';
import { ErrorNotice } from '../../../components/ErrorNotice';
import { OneTimeLink } from '../../../components/OneTimeLink';
import { useAction } from '../../../hooks/useAction';

const text = t.admin.users.create;
type Errors = Partial<Record<'email' | 'name', string>>;

export function CreateUserForm({ onCreated }: { onCreated: () => void }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [studentNumber, setStudentNumber] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [issued, setIssued] = useState<{ link: IssuedLink; label: string } | null>(null);
  const action = useAction();
  const form = useRef<HTMLFormElement>(null);

  const submit = async (event: TargetedSubmitEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const found: Errors = blankFields({ email, name });
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstInvalid(form.current);
      return;
    }
    const user: NewUser = { email: email.trim(), display_name: name.trim() };
    if (studentNumber.trim() !== '') user.student_number = studentNumber.trim();
    await action.run(async () => {
      setIssued(null);
      const created = await createUser(user);
      setIssued({ link: created, label: text.linkLabel(created.user.display_name) });
      setEmail('');
      setName('');
      setStudentNumber('');
      onCreated();
    });
  };

  return (
    <section class="panel" aria-labelledby="create-user-heading">
      <h3 id="create-user-heading">{text.heading}</h3>
      <form ref={form} class="form--narrow" noValidate onSubmit={(event) => { void submit(event); }} data-testid="create-user-form">
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
        <ErrorNotice error={action.error} testId="create-user-error" />
        <div class="actions">
          <button type="submit" class="button" disabled={action.busy} data-testid="create-user-submit">
            {text.submit}
          </button>
        </div>
      </form>
      {issued !== null && (
        <OneTimeLink label={issued.label} link={issued.link.link} expiresAt={issued.link.expires_at} testId="invitation-link" />
      )}
    </section>
  );
}
