/**
 * One taught course (`/courses/<course>`): its exams with their status,
 * window (in the reader's local time) and time per student, each leading to
 * its own page. Instructors also write new exams, edit them and reach each
 * exam's candidate links from here. Anyone who does not teach the course
 * gets "page not found", as for any page their roles do not allow.
 */
import { useCallback } from 'preact/hooks';
import { formatDateTime, t } from '../../i18n';
import { listExams } from '../../api/exams';
import type { Exam, MyCourse } from '../../api/types';
import { isNotFound } from '../../components/problem';
import { WhenLoaded } from '../../components/Status';
import { useDocumentTitle } from '../../hooks/useDocumentTitle';
import { useLoad } from '../../hooks/useLoad';
import { Link } from '../../router';
import { NotFoundScreen } from '../not-found/NotFoundScreen';
import { candidatesPath, editExamPath, examPagePath, instructs, newExamPath, taughtCourse } from './taught';
import { PhaseBadge } from './PhaseBadge';

const text = t.course;

interface Loaded {
  course: MyCourse;
  exams: Exam[];
}

async function load(courseId: string): Promise<Loaded | null> {
  const course = await taughtCourse(courseId);
  if (course === null) return null;
  return { course, exams: await listExams(courseId) };
}

function ExamTable({ course, exams }: Loaded) {
  const canManage = instructs(course);
  const sorted = [...exams].sort((a, b) => a.opens_at.localeCompare(b.opens_at) || a.title.localeCompare(b.title));
  return (
    <div class="table-wrap">
      <table class="table" data-testid="exams">
        <caption class="visually-hidden">{text.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{text.title}</th>
            <th scope="col">{text.phase}</th>
            <th scope="col">{text.window}</th>
            <th scope="col">{text.duration}</th>
            {canManage && <th scope="col">{text.actions}</th>}
          </tr>
        </thead>
        <tbody>
          {sorted.map((exam) => (
            <tr key={exam.id} data-testid="exam-row" data-title={exam.title} data-phase={exam.phase}>
              <th scope="row" id={`exam-${exam.id}`}>
                <Link href={examPagePath(course.id, exam.id)} data-testid="exam-link">{exam.title}</Link>
              </th>
              <td><PhaseBadge phase={exam.phase} /></td>
              <td data-testid="exam-window">{t.exams.window(formatDateTime(exam.opens_at), formatDateTime(exam.closes_at))}</td>
              <td class="nowrap">{t.exams.minutes(exam.duration_minutes)}</td>
              {canManage && (
                <td>
                  <div class="row-actions">
                    <Link
                      href={candidatesPath(course.id, exam.id)}
                      aria-describedby={`exam-${exam.id}`}
                      data-testid="exam-candidates"
                    >
                      {text.candidates}
                    </Link>
                    <Link href={editExamPath(course.id, exam.id)} aria-describedby={`exam-${exam.id}`} data-testid="exam-edit">
                      {t.author.fromCourse.edit}
                    </Link>
                  </div>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function CourseScreen({ courseId }: { courseId: string }) {
  const loaded = useLoad(useCallback(() => load(courseId), [courseId]));
  const course = loaded.data?.course;
  useDocumentTitle(course === undefined ? undefined : text.documentTitle(t.common.course(course.code, course.title)));

  if (loaded.data === null || (loaded.data === undefined && isNotFound(loaded.error))) return <NotFoundScreen />;
  return (
    <WhenLoaded loaded={loaded}>
      {(data) =>
        data !== null && (
          <>
            <p class="breadcrumb">
              <Link href="/courses" data-testid="back-to-courses">{text.back}</Link>
            </p>
            <h1 data-testid="course-heading">
              <span class="course-code">{data.course.code}</span> {data.course.title}
            </h1>
            <section class="panel panel--wide" aria-labelledby="exams-heading">
              <div class="panel__head">
                <h2 id="exams-heading">{text.examsHeading}</h2>
                {instructs(data.course) && (
                  <Link href={newExamPath(data.course.id)} class="button" data-testid="new-exam">
                    {t.author.fromCourse.newExam}
                  </Link>
                )}
              </div>
              {data.exams.length === 0 ? (
                <p class="empty-state" data-testid="no-exams">{text.empty}</p>
              ) : (
                <ExamTable course={data.course} exams={data.exams} />
              )}
            </section>
          </>
        )
      }
    </WhenLoaded>
  );
}
