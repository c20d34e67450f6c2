/**
 * Creating candidate links: the section and validity they share (by default
 * the exam's window), then either one candidate (name, optional student
 * number) or many from CSV (`name,student_number`). The server checks the
 * rest; its problem, such as the CSV line it could not read, shows here.
 */
import { useRef, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { formatDateTime, t } from '../../i18n';
import { createCandidates, importCandidates, type CandidateBatch, type NewCandidate } from '../../api/exams';
import type { Exam, IssuedCandidate, MyCourse } from '../../api/types';
import { CsvInput } from '../../components/CsvInput';
import { ErrorNotice } from '../../components/ErrorNotice';
import { focusFirstInvalid, RadioField, SelectField, TextField } from '../../components/Field';
import { fromLocalInput, toLocalInput } from '../../components/localTime';
import { useAction } from '../../hooks/useAction';

const text = t.candidates.create;

type Mode = 'one' | 'many';
type Errors = Partial<Record<'section' | 'validFrom' | 'validUntil' | 'label' | 'csv', string>>;

interface Props {
  course: MyCourse;
  exam: Exam;
  sectionNames: Map<string, string>;
  onCreated: (issued: IssuedCandidate[]) => void;
}

export function CreateCandidatesForm({ course, exam, sectionNames, onCreated }: Props) {
  const [sectionId, setSectionId] = useState(exam.section_ids.length === 1 ? (exam.section_ids[0] ?? '') : '');
  // By default the links work through the exam's window, to the second even
  // though the controls show minutes.
  const defaults = { from: toLocalInput(exam.opens_at), until: toLocalInput(exam.closes_at) };
  const [validFrom, setValidFrom] = useState(defaults.from);
  const [validUntil, setValidUntil] = useState(defaults.until);
  const [mode, setMode] = useState<Mode>('one');
  const [label, setLabel] = useState('');
  const [studentNumber, setStudentNumber] = useState('');
  const [csv, setCsv] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const action = useAction();
  const form = useRef<HTMLFormElement>(null);
  const examWindow = t.exams.window(formatDateTime(exam.opens_at), formatDateTime(exam.closes_at));

  const check = (): { errors: Errors; batch: CandidateBatch | null } => {
    const found: Errors = {};
    if (sectionId === '') found.section = t.common.required;
    const from = validFrom === defaults.from ? exam.opens_at : fromLocalInput(validFrom);
    const until = validUntil === defaults.until ? exam.closes_at : fromLocalInput(validUntil);
    if (from === null) found.validFrom = t.common.required;
    if (until === null) found.validUntil = t.common.required;
    else if (from !== null && Date.parse(until) <= Date.parse(from)) found.validUntil = text.untilAfterFrom;
    if (mode === 'one' && label.trim() === '') found.label = t.common.required;
    if (mode === 'many' && csv.trim() === '') found.csv = text.csvEmpty;
    const complete = Object.keys(found).length === 0 && from !== null && until !== null;
    return { errors: found, batch: complete ? { section_id: sectionId, valid_from: from, valid_until: until } : null };
  };

  const submit = async (event: TargetedSubmitEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const { errors: found, batch } = check();
    setErrors(found);
    if (batch === null) {
      focusFirstInvalid(form.current);
      return;
    }
    await action.run(async () => {
      let issued: IssuedCandidate[];
      if (mode === 'one') {
        const candidate: NewCandidate = { label: label.trim() };
        if (studentNumber.trim() !== '') candidate.student_number = studentNumber.trim();
        issued = await createCandidates(course.id, exam.id, batch, [candidate]);
        setLabel('');
        setStudentNumber('');
      } else {
        issued = await importCandidates(course.id, exam.id, batch, csv);
        setCsv('');
      }
      onCreated(issued);
    });
  };

  return (
    <section class="panel" aria-labelledby="create-candidates-heading">
      <h2 id="create-candidates-heading">{text.heading}</h2>
      <form ref={form} noValidate onSubmit={(event) => { void submit(event); }} data-testid="create-candidates-form">
        <div class="form--narrow">
          <SelectField label={text.section} value={sectionId} onValue={setSectionId} error={errors.section} testId="candidate-section">
            <option value="">{text.chooseSection}</option>
            {exam.section_ids.map((id) => (
              <option key={id} value={id}>{sectionNames.get(id) ?? t.common.unknown}</option>
            ))}
          </SelectField>
          {exam.section_ids.length === 0 && <p class="notice notice--info">{text.noSections}</p>}
        </div>
        <div class="field-row">
          <TextField
            label={text.validFrom}
            type="datetime-local"
            value={validFrom}
            onValue={setValidFrom}
            hint={text.validityHint(examWindow)}
            error={errors.validFrom}
            testId="candidate-valid-from"
          />
          <TextField
            label={text.validUntil}
            type="datetime-local"
            value={validUntil}
            onValue={setValidUntil}
            error={errors.validUntil}
            testId="candidate-valid-until"
          />
        </div>
        <RadioField<Mode>
          legend={text.mode}
          name="candidate-mode"
          value={mode}
          onValue={setMode}
          options={[
            { value: 'one', label: text.one, testId: 'candidate-mode-one' },
            { value: 'many', label: text.many, testId: 'candidate-mode-many' },
          ]}
        />
        {mode === 'one' ? (
          <div class="form--narrow">
            <TextField label={text.label} hint={text.labelHint} value={label} onValue={setLabel} error={errors.label} testId="candidate-label" />
            <TextField
              label={text.studentNumber}
              optional
              value={studentNumber}
              onValue={setStudentNumber}
              spellcheck={false}
              testId="candidate-student-number"
            />
          </div>
        ) : (
          <CsvInput
            csv={csv}
            onCsv={setCsv}
            fileLabel={text.file}
            textLabel={text.paste}
            textHint={text.pasteHint}
            error={errors.csv}
            testId="candidate-csv"
            rows={6}
          />
        )}
        <ErrorNotice error={action.error} testId="create-candidates-error" />
        <div class="actions">
          <button type="submit" class="button" disabled={action.busy || exam.section_ids.length === 0} data-testid="create-candidates-submit">
            {action.busy ? text.busy : mode === 'one' ? text.submitOne : text.submitMany}
          </button>
        </div>
      </form>
    </section>
  );
}
