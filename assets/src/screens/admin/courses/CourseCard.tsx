/** One course: its sections, and a one-field form to add another. */
import { useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { t } from '../../../i18n';
import { createSection } from '../../../api/org';
import type { Course } from '../../../api/types';
import { TextField } from '../../../components/Field';
import { ErrorNotice } from '../../../components/ErrorNotice';
import { useAction } from '../../../hooks/useAction';

const text = t.admin.courses;

export function CourseCard({ course, onChanged }: { course: Course; onChanged: () => void }) {
  const [name, setName] = useState('');
  const [blank, setBlank] = useState(false);
  const action = useAction();

  const add = async (event: TargetedSubmitEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    setBlank(name.trim() === '');
    if (name.trim() === '') return;
    if (await action.run(async () => { await createSection(course.id, name.trim()); })) {
      setName('');
      onChanged();
    }
  };

  return (
    <li class="card" data-testid="course-card" data-code={course.code}>
      <h4>
        <span class="course-code">{course.code}</span> {course.title}
      </h4>
      <p class="card__label">{text.sections}</p>
      {course.sections.length === 0 ? (
        <p class="empty">{text.noSections}</p>
      ) : (
        <ul class="chips" data-testid="course-sections">
          {course.sections.map((section) => (
            <li key={section.id} class="chip">{section.name}</li>
          ))}
        </ul>
      )}
      <form class="inline-form" noValidate onSubmit={(event) => { void add(event); }} data-testid="add-section-form">
        <TextField
          label={text.addSection(course.code)}
          value={name}
          onValue={setName}
          error={blank ? t.common.required : undefined}
          testId="section-name"
        />
        <div class="actions">
          <button type="submit" class="button button--secondary" disabled={action.busy} data-testid="add-section-submit">
            {text.addSectionSubmit}
          </button>
        </div>
        <ErrorNotice error={action.error} />
      </form>
    </li>
  );
}
