/**
 * The exam editor: the settings and the ordered questions in one form with a
 * Save bar that says whether there are unsaved changes, then the run of the
 * model solutions and publishing. A new exam is created on its first save and
 * the address becomes its edit page. A closed exam is shown read-only.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { t } from '../../i18n';
import { createExam, updateExam } from '../../api/exams';
import type { Exam, MyCourse } from '../../api/types';
import { useConfirm } from '../../components/ConfirmDialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { focusFirstInvalid } from '../../components/Field';
import { useAction } from '../../hooks/useAction';
import { useDocumentTitle } from '../../hooks/useDocumentTitle';
import { PythonRunner } from '../../python/runner';
import { Link, navigate } from '../../router';
import { coursePath, editExamPath } from '../courses/taught';
import { PhaseBadge } from '../courses/PhaseBadge';
import {
  blankDraft,
  blankQuestion,
  draftOf,
  fingerprint,
  runFingerprint,
  specOf,
  withSavedIds,
  type Draft,
  type DraftErrors,
} from './draft';
import { addQuestion, focusSoon } from './edits';
import { ExamForm } from './ExamForm';
import { useModelRun } from './modelRun';
import { ModelRun } from './ModelRun';
import { PublishPanel } from './PublishPanel';
import { questionHeadingId, QuestionEditor } from './QuestionEditor';

const text = t.author;

interface Props {
  course: MyCourse;
  /** The saved exam; undefined for a new one. */
  exam: Exam | undefined;
}

type SaveState = 'new' | 'unsaved' | 'saved' | 'closed';

/** Asks the browser to warn before leaving the page while `warn` holds. */
function useLeaveWarning(warn: boolean): void {
  useEffect(() => {
    if (!warn) return;
    const ask = (event: BeforeUnloadEvent): void => { event.preventDefault(); };
    addEventListener('beforeunload', ask);
    return () => { removeEventListener('beforeunload', ask); };
  }, [warn]);
}

export function ExamEditor({ course, exam }: Props) {
  const [saved, setSaved] = useState(exam);
  const [draft, setDraft] = useState<Draft>(() => (exam === undefined ? blankDraft() : draftOf(exam)));
  const [baseline, setBaseline] = useState(() => fingerprint(draft));
  const [errors, setErrors] = useState<DraftErrors>({});
  const saving = useAction();
  const form = useRef<HTMLFormElement>(null);
  const [dialog, confirm] = useConfirm();
  const [runner] = useState(() => new PythonRunner());
  useEffect(() => () => { runner.dispose(); }, [runner]);
  const modelRun = useModelRun(runner);

  const current = useMemo(() => fingerprint(draft), [draft]);
  const questionsPrint = useMemo(() => runFingerprint(draft.questions), [draft.questions]);
  const dirty = current !== baseline;
  const closed = saved?.phase === 'closed';
  const state: SaveState = closed ? 'closed' : saved === undefined ? 'new' : dirty ? 'unsaved' : 'saved';
  useLeaveWarning(dirty && !closed);

  const edit = (change: (draft: Draft) => Draft): void => { setDraft(change); };

  const save = async (event: TargetedSubmitEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    if (closed || saving.busy) return;
    const checked = specOf(draft, saved);
    if ('errors' in checked) {
      setErrors(checked.errors);
      focusFirstInvalid(form.current);
      return;
    }
    setErrors({});
    const sent = fingerprint(draft);
    const sentKeys = draft.questions.map((question) => question.key);
    await saving.run(async () => {
      if (saved === undefined) {
        const created = await createExam(course.id, checked.spec);
        setBaseline(sent);
        navigate(editExamPath(course.id, created.id), { replace: true });
      } else {
        const updated = await updateExam(course.id, saved.id, checked.spec);
        setSaved(updated);
        setDraft((current) => withSavedIds(current, sentKeys, updated));
        setBaseline(sent);
      }
    });
  };

  const add = (): void => {
    const question = blankQuestion();
    edit((before) => addQuestion(before, question));
    focusSoon(questionHeadingId(question.key));
  };

  useDocumentTitle(saved === undefined ? text.newTitle : text.editTitle(saved.title));
  const invalid = Object.keys(errors).length > 0;
  return (
    <>
      <p class="breadcrumb">
        <Link href={coursePath(course.id)} data-testid="back-to-course">{text.back(course.code)}</Link>
      </p>
      <div class="author-title">
        <h1 data-testid="author-heading">{saved === undefined ? text.headingNew : text.headingEdit}</h1>
        {saved !== undefined && <PhaseBadge phase={saved.phase} />}
      </div>
      <p class="lead">{t.common.course(course.code, course.title)}</p>
      <form ref={form} noValidate onSubmit={(event) => { void save(event); }} data-testid="exam-editor">
        <div class="author-bar">
          <p class="author-bar__state" role="status" data-testid="save-state" data-state={saving.busy ? 'saving' : state}>
            {saving.busy ? t.common.saving : text.saveState[state]}
          </p>
          {!closed && (
            <button type="submit" class="button" disabled={saving.busy} data-testid="save-exam">
              {saved === undefined ? text.create : t.common.save}
            </button>
          )}
        </div>
        {invalid && <p class="notice notice--error" role="alert" data-testid="save-invalid">{text.errors.summary}</p>}
        <ErrorNotice error={saving.error} testId="save-error" />
        {closed && <p class="notice notice--info" data-testid="closed-note">{text.publish.closed}</p>}
        <fieldset class="author-fieldset" disabled={closed}>
          <legend class="visually-hidden">{text.formLegend}</legend>
          <ExamForm draft={draft} errors={errors} course={course} onChange={(patch) => { edit((before) => ({ ...before, ...patch })); }} />
          <section class="panel" aria-labelledby="questions-heading">
            <h2 id="questions-heading" tabIndex={-1}>{text.questions.heading(draft.questions.length)}</h2>
            {draft.questions.length === 0 ? (
              <p class="empty-state" data-testid="no-questions">{text.questions.empty}</p>
            ) : (
              <ol class="author-questions">
                {draft.questions.map((question, index) => (
                  <QuestionEditor
                    key={question.key}
                    question={question}
                    index={index}
                    count={draft.questions.length}
                    pointsError={errors.points?.[question.key]}
                    edit={edit}
                    confirm={confirm}
                  />
                ))}
              </ol>
            )}
            <button type="button" class="button button--secondary" data-testid="add-question" onClick={add}>
              {text.questions.add}
            </button>
          </section>
        </fieldset>
      </form>
      <ModelRun
        state={modelRun.state}
        questions={draft.questions}
        onStart={() => { modelRun.start(draft.questions); }}
        onStop={modelRun.stop}
      />
      {saved === undefined ? (
        <section class="panel" aria-labelledby="publish-heading">
          <h2 id="publish-heading">{text.publish.heading}</h2>
          <p data-testid="publish-after-save">{text.publish.saveNew}</p>
        </section>
      ) : (
        <PublishPanel
          course={course}
          exam={saved}
          dirty={dirty}
          run={modelRun.state}
          fingerprint={questionsPrint}
          confirm={confirm}
          onChanged={setSaved}
        />
      )}
      {dialog}
    </>
  );
}
