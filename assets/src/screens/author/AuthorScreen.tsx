/**
 * Writing an exam (`/courses/<course>/exams/new` and
 * `/courses/<course>/exams/<exam>/edit`), for the course's instructors:
 * settings, questions with their tests, a run of every test against the
 * model solutions, and publishing. Anyone else gets "page not found".
 */
import { useCallback } from 'preact/hooks';
import { getExam } from '../../api/exams';
import type { Exam, MyCourse } from '../../api/types';
import { isNotFound } from '../../components/problem';
import { WhenLoaded } from '../../components/Status';
import { useLoad } from '../../hooks/useLoad';
import { NotFoundScreen } from '../not-found/NotFoundScreen';
import { instructs, taughtCourse } from '../courses/taught';
import { ExamEditor } from './ExamEditor';

interface Context {
  course: MyCourse;
  exam: Exam | undefined;
}

async function load(courseId: string, examId: string | undefined): Promise<Context | null> {
  const course = await taughtCourse(courseId);
  if (course === null || !instructs(course)) return null;
  return { course, exam: examId === undefined ? undefined : await getExam(courseId, examId) };
}

export function AuthorScreen({ courseId, examId }: { courseId: string; examId?: string }) {
  const context = useLoad(useCallback(() => load(courseId, examId), [courseId, examId]));
  if (context.data === null || (context.data === undefined && isNotFound(context.error))) return <NotFoundScreen />;
  return (
    <WhenLoaded loaded={context}>
      {(data) =>
        data !== null && (
          // Another exam (after creating or duplicating one) starts a fresh editor.
          <ExamEditor key={data.exam?.id ?? 'new'} course={data.course} exam={data.exam} />
        )
      }
    </WhenLoaded>
  );
}
