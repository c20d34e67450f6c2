/**
 * The frame of a staff page about one exam of a taught course: loads the
 * course (as the caller's roles show it) and the exam, names the tab, and
 * shows "page not found" to anyone who does not teach the course (or, with
 * `instructorOnly`, instruct it) and for an exam that is not the course's.
 */
import { useCallback } from 'preact/hooks';
import type { JSX } from 'preact';
import { getExam } from '../../api/exams';
import type { Exam, MyCourse } from '../../api/types';
import { isNotFound } from '../../components/problem';
import { WhenLoaded } from '../../components/Status';
import { useDocumentTitle } from '../../hooks/useDocumentTitle';
import { useLoad } from '../../hooks/useLoad';
import { NotFoundScreen } from '../not-found/NotFoundScreen';
import { instructs, taughtCourse } from './taught';

export interface TaughtExam {
  course: MyCourse;
  exam: Exam;
  /** Loads the exam again, e.g. after its window changed. */
  reload: () => void;
}

interface Props {
  courseId: string;
  examId: string;
  instructorOnly?: boolean;
  title: (exam: Exam) => string;
  children: (loaded: TaughtExam) => JSX.Element;
}

export function TaughtExamScreen({ courseId, examId, instructorOnly = false, title, children }: Props) {
  const load = useCallback(async () => {
    const course = await taughtCourse(courseId);
    if (course === null || (instructorOnly && !instructs(course))) return null;
    return { course, exam: await getExam(courseId, examId) };
  }, [courseId, examId, instructorOnly]);
  const loaded = useLoad(load);
  const exam = loaded.data?.exam;
  useDocumentTitle(exam === undefined ? undefined : title(exam));

  if (loaded.data === null || (loaded.data === undefined && isNotFound(loaded.error))) return <NotFoundScreen />;
  return (
    <WhenLoaded loaded={loaded}>
      {(data) => data !== null && children({ ...data, reload: loaded.reload })}
    </WhenLoaded>
  );
}
