/**
 * The exam's settings: title, instructions (Markdown, previewed), the window
 * in the reader's local time, time per student, late edits, integrity
 * profile, full screen, and which of the course's sections take it.
 */
import { useId } from 'preact/hooks';
import { t } from '../../i18n';
import type { Exam, MyCourse } from '../../api/types';
import { CheckboxField, RadioField, SelectField, TextField } from '../../components/Field';
import { MarkdownField } from './AuthorFields';
import type { Draft, DraftErrors } from './draft';

const text = t.author.settings;

interface Props {
  draft: Draft;
  errors: DraftErrors;
  course: MyCourse;
  onChange: (patch: Partial<Omit<Draft, 'questions'>>) => void;
}

function Sections({ draft, errors, course, onChange }: Props) {
  const id = useId();
  const toggle = (sectionId: string, checked: boolean): void => {
    const chosen = new Set(draft.section_ids);
    if (checked) chosen.add(sectionId);
    else chosen.delete(sectionId);
    // Keep the course's order, so the saved list does not depend on the order of clicks.
    onChange({ section_ids: course.sections.map((section) => section.id).filter((sid) => chosen.has(sid)) });
  };
  return (
    <fieldset class="field radio-group" aria-describedby={errors.sections === undefined ? `${id}-hint` : `${id}-hint ${id}-error`}>
      <legend class="field-label">{text.sections}</legend>
      <p class="hint" id={`${id}-hint`}>{text.sectionsHint}</p>
      {course.sections.length === 0 && <p class="empty">{text.noSections}</p>}
      {course.sections.map((section) => (
        <div class="field--check" key={section.id}>
          <input
            type="checkbox"
            id={`${id}-${section.id}`}
            checked={draft.section_ids.includes(section.id)}
            aria-invalid={errors.sections === undefined ? undefined : 'true'}
            data-testid="author-section"
            data-name={section.name}
            onChange={(event) => { toggle(section.id, event.currentTarget.checked); }}
          />
          <label for={`${id}-${section.id}`}>{section.name}</label>
        </div>
      ))}
      {errors.sections !== undefined && <p class="field-error" id={`${id}-error`}>{errors.sections}</p>}
    </fieldset>
  );
}

export function ExamForm(props: Props) {
  const { draft, errors, onChange } = props;
  return (
    <section class="panel" aria-labelledby="settings-heading">
      <h2 id="settings-heading">{text.heading}</h2>
      <div class="form--narrow">
        <TextField
          label={text.title}
          value={draft.title}
          onValue={(title) => { onChange({ title }); }}
          error={errors.title}
          testId="author-title"
        />
      </div>
      <MarkdownField
        label={text.instructions}
        optional
        value={draft.instructions}
        onValue={(instructions) => { onChange({ instructions }); }}
        headingLevel={3}
        testId="author-instructions"
      />
      <div class="field-row">
        <TextField
          label={text.opensAt}
          type="datetime-local"
          value={draft.opensAt}
          onValue={(opensAt) => { onChange({ opensAt }); }}
          hint={text.localTime}
          error={errors.opensAt}
          testId="author-opens"
        />
        <TextField
          label={text.closesAt}
          type="datetime-local"
          value={draft.closesAt}
          onValue={(closesAt) => { onChange({ closesAt }); }}
          hint={text.closesHint}
          error={errors.closesAt}
          testId="author-closes"
        />
        <TextField
          label={text.duration}
          value={draft.duration}
          onValue={(duration) => { onChange({ duration }); }}
          hint={text.durationHint}
          error={errors.duration}
          testId="author-duration"
        />
      </div>
      <Sections {...props} />
      <RadioField<Exam['late_policy']>
        legend={text.latePolicy}
        name="author-late-policy"
        value={draft.late_policy}
        onValue={(late_policy) => { onChange({ late_policy }); }}
        options={[
          { value: 'accept_queued', label: text.late.accept_queued, testId: 'author-late-accept' },
          { value: 'refuse', label: text.late.refuse, testId: 'author-late-refuse' },
        ]}
      />
      <div class="form--narrow">
        <SelectField
          label={text.integrity}
          value={draft.integrity_profile}
          onValue={(value) => { onChange({ integrity_profile: value as Exam['integrity_profile'] }); }}
          hint={text.integrityHint}
          testId="author-integrity"
        >
          {(['lenient', 'standard', 'strict'] as const).map((profile) => (
            <option key={profile} value={profile}>{text.profiles[profile]}</option>
          ))}
        </SelectField>
      </div>
      <CheckboxField
        label={text.fullscreen}
        checked={draft.require_fullscreen}
        onChecked={(require_fullscreen) => { onChange({ require_fullscreen }); }}
        hint={text.fullscreenHint}
        testId="author-fullscreen"
      />
    </section>
  );
}
