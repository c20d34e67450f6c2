/**
 * What happens to the saved exam as a whole: publish it (once every test
 * passes on the saved model solutions, after confirming), duplicate it, or
 * delete it while it is a draft. The server checks each again and its
 * refusal shows here.
 */
import { formatDateTime, t } from '../../i18n';
import type { Exam, MyCourse } from '../../api/types';
import type { ConfirmRequest } from '../../components/ConfirmDialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useAction } from '../../hooks/useAction';
import { navigate } from '../../router';
import { coursePath, editExamPath } from '../courses/taught';
import { deleteExam, duplicateExam, publishExam } from '../../api/exams';
import type { RunState } from './modelRun';

const text = t.author.publish;

interface Props {
  course: MyCourse;
  exam: Exam;
  dirty: boolean;
  run: RunState;
  /** The fingerprint of the draft's questions (see runFingerprint). */
  fingerprint: string;
  confirm: (request: ConfirmRequest) => Promise<boolean>;
  onChanged: (exam: Exam) => void;
}

/** Why the exam cannot be published yet, or null when it can. */
function blocker({ exam, dirty, run, fingerprint }: Props): string | null {
  if (dirty) return text.saveFirst;
  if (exam.questions.length === 0) return text.noQuestions;
  if (run.phase === 'running') return text.running;
  if (run.phase !== 'done' || run.report.fingerprint !== fingerprint) return text.runFirst;
  if (run.report.stopped) return text.runStopped;
  if (run.report.failed > 0) return text.failing(run.report.failed, run.report.total);
  return null;
}

export function PublishPanel(props: Props) {
  const { course, exam, dirty, run, confirm, onChanged } = props;
  const publishing = useAction();
  const duplicating = useAction();
  const deleting = useAction();
  const busy = publishing.busy || duplicating.busy || deleting.busy;
  const blocked = exam.phase === 'draft' ? blocker(props) : null;

  const publish = async (): Promise<void> => {
    if (blocked !== null || run.phase !== 'done') return;
    const report = { tests_run: run.report.total, tests_failed: run.report.failed };
    const body = text.confirmBody(formatDateTime(exam.opens_at), formatDateTime(exam.closes_at));
    if (!(await confirm({ title: text.confirmTitle(exam.title), body, action: text.confirmAction }))) return;
    await publishing.run(async () => { onChanged(await publishExam(course.id, exam.id, report)); });
  };

  const duplicate = async (): Promise<void> => {
    await duplicating.run(async () => {
      const copy = await duplicateExam(course.id, exam.id);
      navigate(editExamPath(course.id, copy.id));
    });
  };

  const remove = async (): Promise<void> => {
    if (!(await confirm({ title: text.deleteTitle(exam.title), body: text.deleteBody, action: text.deleteConfirm }))) return;
    await deleting.run(async () => {
      await deleteExam(course.id, exam.id);
      navigate(coursePath(course.id));
    });
  };

  return (
    <section class="panel" aria-labelledby="publish-heading" data-testid="publish-panel">
      <h2 id="publish-heading">{text.heading}</h2>
      {exam.phase === 'draft' ? (
        <>
          <p>{text.draftIntro}</p>
          <p
            id="publish-readiness"
            class={blocked === null ? 'notice notice--done' : 'notice notice--info'}
            data-testid="publish-readiness"
            data-ready={String(blocked === null)}
          >
            {blocked ?? text.ready(run.phase === 'done' ? run.report.total : 0)}
          </p>
          <div class="actions">
            <button type="button" class="button" aria-describedby="publish-readiness" disabled={blocked !== null || busy}
              data-testid="publish" onClick={() => { void publish(); }}>
              {publishing.busy ? text.publishing : text.publish}
            </button>
          </div>
          <ErrorNotice error={publishing.error} testId="publish-error" />
        </>
      ) : (
        <p data-testid="published-note">
          {exam.published_at !== null && text.publishedAt(formatDateTime(exam.published_at))}{' '}
          {exam.phase === 'closed' ? text.closed : text.editsAudited}
        </p>
      )}
      <h3>{text.otherHeading}</h3>
      <p id="duplicate-hint" class="hint">{dirty ? text.duplicateUnsaved : text.duplicateHint}</p>
      <div class="actions">
        <button type="button" class="button button--secondary" aria-describedby="duplicate-hint" disabled={dirty || busy}
          data-testid="duplicate-exam" onClick={() => { void duplicate(); }}>
          {duplicating.busy ? text.duplicating : text.duplicate}
        </button>
        {exam.phase === 'draft' && (
          <button type="button" class="button button--danger-secondary" disabled={busy}
            data-testid="delete-exam" onClick={() => { void remove(); }}>
            {text.delete}
          </button>
        )}
      </div>
      <ErrorNotice error={duplicating.error} testId="duplicate-error" />
      <ErrorNotice error={deleting.error} testId="delete-error" />
    </section>
  );
}
