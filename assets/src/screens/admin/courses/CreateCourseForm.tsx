/** Adding a course: its code and title. */
import { useRef, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { t } from '../../../i18n';
import { createCourse } from '../../../api/org';
import { blankFields, focusFirstInvalid, TextField } from '../../../components/Field';
import { ErrorNotice } from '../../../components/ErrorNotice';
import { useAction } from '../../../hooks/useAction';

const text = t.admin.courses.create;
type Errors = Partial<Record<'code' | 'title', string>>;

export function CreateCourseForm({ onCreated }: { onCreated: () => void }) {
  const [code, setCode] = useState('');
  const [title, setTitle] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const action = useAction();
  const form = useRef<HTMLFormElement>(null);

  const submit = async (event: TargetedSubmitEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const found: Errors = blankFields({ code, title });
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstInvalid(form.current);
      return;
    }
    const ok = await action.run(async () => { await createCourse(code.trim(), title.trim()); });
    if (ok) {
      setCode('');
      setTitle('');
      onCreated();
    }
  };

  return (
    <section class="panel" aria-labelledby="create-course-heading">
      <h3 id="create-course-heading">{text.heading}</h3>
      <form ref={form} class="form--narrow" noValidate onSubmit={(event) => { void submit(event); }} data-testid="create-course-form">
        <TextField label={text.code} hint={text.codeHint} value={code} onValue={setCode} error={errors.code} testId="course-code" />
        <TextField label={text.title} value={title} onValue={setTitle} error={errors.title} testId="course-title" />
        <ErrorNotice error={action.error} testId="create-course-error" />
        <div class="actions">
          <button type="submit" class="button" disabled={action.busy} data-testid="create-course-submit">
            {text.submit}
          </button>
        </div>
      </form>
    </section>
  );
}
