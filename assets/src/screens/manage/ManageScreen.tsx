/**
 * One exam as its course's staff run it (`/courses/<course>/exams/<exam>`):
 * its status, window and time per student; for instructors, closing it early
 * or extending it, extra time for chosen students, and links to its candidate
 * links and its editor, moving an attempt to another computer and deciding
 * on late changes; for all staff, every student's attempt with its receipt. Anyone who does not teach the course gets "page not found".
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { formatDateTime, formatTime, t } from '../../i18n';
import { applyLateItems, issueMoveCode, listAttempts } from '../../api/exams';
import { MoveCodeIssued, type IssuedFor } from '../../components/MoveCodeIssued';
import type { AttemptRow } from '../../api/types';
import { useConfirmedAction } from '../../components/ConfirmedAction';
import { ErrorNotice } from '../../components/ErrorNotice';
import { WhenLoaded } from '../../components/Status';
import { useLoad } from '../../hooks/useLoad';
import { Link } from '../../router';
import { monitorPath } from '../../api/monitor';
import { candidatesPath, coursePath, editExamPath, instructs } from '../courses/taught';
import { TaughtExamScreen, type TaughtExam } from '../courses/TaughtExam';
import { PhaseBadge } from '../courses/PhaseBadge';
import { AttemptTable } from './AttemptTable';
import { ExtraTimeForm } from './ExtraTimeForm';
import { WindowControls } from './WindowControls';

const text = t.manage;

/** How often the list of attempts is read again while the exam is open (see the message `updated`). */
const LIVE_REFRESH_MS = 15_000;

type Context = Omit<TaughtExam, 'reload'>;

function ManagePage({ course, exam, onExamChanged }: Context & { onExamChanged: () => void }) {
  const rows = useLoad(useCallback(() => listAttempts(course.id, exam.id), [course.id, exam.id]));
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [updatedAt, setUpdatedAt] = useState<Date | null>(null);
  useEffect(() => {
    if (rows.data !== undefined) setUpdatedAt(new Date());
  }, [rows.data]);
  // While students work, the table follows them without anyone pressing
  // Refresh; a tab in the background asks nothing.
  const live = exam.phase === 'open';
  const { reload } = rows;
  useEffect(() => {
    if (!live) return undefined;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, LIVE_REFRESH_MS);
    return () => { clearInterval(timer); };
  }, [live, reload]);
  const canManage = instructs(course);
  // Extra time changes nothing once the exam is closed: every attempt has ended.
  const canGrant = canManage && exam.phase !== 'closed';
  const courseName = t.common.course(course.code, course.title);

  const refresh = (): void => {
    onExamChanged();
    rows.reload();
  };

  const acting = useConfirmedAction();
  const [issued, setIssued] = useState<IssuedFor | null>(null);
  const attemptActions = {
    action: acting,
    allowMove: async (row: AttemptRow): Promise<void> => {
      const attempt = row.attempt;
      if (attempt === null) return;
      const issue = async (): Promise<void> => {
        setIssued({ name: row.display_name, ...(await issueMoveCode(course.id, exam.id, attempt.id)) });
      };
      await acting.run(text.students.allowMoveConfirm(row.display_name), issue);
    },
    applyLate: async (row: AttemptRow): Promise<void> => {
      const attempt = row.attempt;
      if (attempt === null) return;
      const confirm = text.students.applyLateConfirm(row.display_name, row.late_items.accepted);
      if (await acting.run(confirm, async () => { await applyLateItems(course.id, exam.id, attempt.id); })) reload();
    },
  };

  return (
    <>
      <p class="breadcrumb">
        <Link href={coursePath(course.id)} data-testid="back-to-course">{text.back(course.code)}</Link>
      </p>
      <h1 data-testid="manage-heading">
        <span data-testid="manage-title">{exam.title}</span> <PhaseBadge phase={exam.phase} />
      </h1>
      <p class="lead">{text.courseLine(courseName)}</p>
      <dl class="facts">
        <dt>{text.facts.window}</dt>
        <dd data-testid="manage-window">{t.exams.window(formatDateTime(exam.opens_at), formatDateTime(exam.closes_at))}</dd>
        <dt>{text.facts.duration}</dt>
        <dd data-testid="manage-duration">{t.exams.minutes(exam.duration_minutes)}</dd>
      </dl>
      <p class="row-actions">
        <Link href={monitorPath(course.id, exam.id)} class="button" data-testid="manage-monitor">{t.monitor.link}</Link>{' '}
        <Link href={`/courses/${encodeURIComponent(course.id)}/exams/${encodeURIComponent(exam.id)}/policy`} class="button button--secondary" data-testid="manage-policy">
          {t.policy.link}
        </Link>{' '}
        <Link href={`/courses/${encodeURIComponent(course.id)}/exams/${encodeURIComponent(exam.id)}/similarity`} class="button button--secondary" data-testid="manage-similarity">
          {t.similarityScreen.link}
        </Link>{' '}
        <Link href={`/courses/${encodeURIComponent(course.id)}/exams/${encodeURIComponent(exam.id)}/grading`} class="button button--secondary" data-testid="manage-grading">
          {t.grading.link}
        </Link>
      </p>
      {canManage && (
        <p class="row-actions">
          <Link href={candidatesPath(course.id, exam.id)} class="button button--secondary" data-testid="manage-candidates">
            {text.candidates}
          </Link>
          <Link href={editExamPath(course.id, exam.id)} class="button button--secondary" data-testid="manage-edit">
            {text.edit}
          </Link>
        </p>
      )}
      {canManage && <WindowControls courseId={course.id} exam={exam} onChanged={refresh} />}
      <section class="panel panel--wide" aria-labelledby="students-heading">
        <div class="panel__head">
          <h2 id="students-heading">{text.students.heading}</h2>
          <button
            type="button"
            class="button button--secondary button--small"
            data-testid="attempts-refresh"
            onClick={refresh}
          >
            {text.students.refresh}
          </button>
        </div>
        {updatedAt !== null && (
          <p class="hint" data-testid="attempts-updated" data-live={String(live)} data-at={String(updatedAt.getTime())}>{text.students.updated(formatTime(updatedAt), live)}</p>
        )}
        <WhenLoaded loaded={rows}>
          {(data) => (
            <>
              <ErrorNotice error={acting.error} />
              {issued !== null && <MoveCodeIssued issued={issued} onDismiss={() => { setIssued(null); }} />}
              <AttemptTable
                rows={data}
                actions={canManage ? attemptActions : undefined}
                sections={course.sections}
                selectable={canGrant}
                selected={selected}
                onSelected={setSelected}
              />
              {acting.dialog}
              {canGrant && data.length > 0 && (
                <ExtraTimeForm
                  courseId={course.id}
                  exam={exam}
                  chosen={data.filter((row) => selected.has(row.user_id))}
                  onSaved={() => {
                    setSelected(new Set());
                    rows.reload();
                  }}
                />
              )}
            </>
          )}
        </WhenLoaded>
      </section>
    </>
  );
}

export function ManageScreen({ courseId, examId }: { courseId: string; examId: string }) {
  return (
    <TaughtExamScreen courseId={courseId} examId={examId} title={(exam) => text.examTitle(exam.title)}>
      {({ course, exam, reload }) => <ManagePage course={course} exam={exam} onExamChanged={reload} />}
    </TaughtExamScreen>
  );
}
