/**
 * An exam's candidate links (`/courses/<course>/exams/<exam>/candidates`),
 * for the course's instructors: create links for one candidate or a CSV list,
 * print or copy them the one time they are shown, and see, revoke and issue
 * again the links already made. Anyone else gets "page not found".
 */
import { useCallback, useState } from 'preact/hooks';
import { t } from '../../i18n';
import { listCandidates } from '../../api/exams';
import type { IssuedCandidate } from '../../api/types';
import { WhenLoaded } from '../../components/Status';
import { useLoad } from '../../hooks/useLoad';
import { Link } from '../../router';
import { coursePath } from '../courses/taught';
import { TaughtExamScreen, type TaughtExam } from '../courses/TaughtExam';
import { CandidateTable } from './CandidateTable';
import { CreateCandidatesForm } from './CreateCandidatesForm';
import { IssuedLinks } from './IssuedLinks';

const text = t.candidates;

type Context = Omit<TaughtExam, 'reload'>;

function CandidatesPage({ course, exam }: Context) {
  const loaded = useLoad(useCallback(() => listCandidates(course.id, exam.id), [course.id, exam.id]));
  const [issued, setIssued] = useState<IssuedCandidate[] | null>(null);
  const sectionNames = new Map(course.sections.map((section) => [section.id, section.name]));
  const courseName = t.common.course(course.code, course.title);

  const created = (links: IssuedCandidate[]): void => {
    setIssued(links);
    loaded.reload();
  };

  return (
    <>
      <p class="breadcrumb">
        <Link href={coursePath(course.id)} data-testid="back-to-course">{text.back(course.code)}</Link>
      </p>
      <h1>{text.heading}</h1>
      <p class="lead" data-testid="candidates-exam">{text.examLine(exam.title, courseName)}</p>
      <p class="lead">{text.intro}</p>
      <CreateCandidatesForm course={course} exam={exam} sectionNames={sectionNames} onCreated={created} />
      {issued !== null && issued.length > 0 && <IssuedLinks issued={issued} exam={exam} course={course} />}
      <section class="panel panel--wide" aria-labelledby="candidate-list-heading">
        <h2 id="candidate-list-heading">{text.list.heading}</h2>
        <WhenLoaded loaded={loaded}>
          {(candidates) => (
            <CandidateTable
              courseId={course.id}
              examId={exam.id}
              candidates={candidates}
              sectionNames={sectionNames}
              onChanged={loaded.reload}
              onReissued={(link) => { created([link]); }}
            />
          )}
        </WhenLoaded>
      </section>
    </>
  );
}

export function CandidatesScreen({ courseId, examId }: { courseId: string; examId: string }) {
  return (
    <TaughtExamScreen courseId={courseId} examId={examId} instructorOnly title={(exam) => text.examTitle(exam.title)}>
      {({ course, exam }) => <CandidatesPage course={course} exam={exam} />}
    </TaughtExamScreen>
  );
}
