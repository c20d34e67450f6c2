/**
 * Staff's courses (`/courses`): each course where the person is instructor,
 * reviewer or proctor, with their roles there and its sections. A course they
 * teach (instructor or reviewer) links to its page with its exams; a proctor
 * sees only their sections.
 */
import { t } from '../../i18n';
import { myCourses } from '../../api/me';
import type { MyCourse } from '../../api/types';
import { WhenLoaded } from '../../components/Status';
import { useLoad } from '../../hooks/useLoad';
import { Link } from '../../router';
import { useSession } from '../../session/SessionProvider';
import { Watching } from '../home/Watching';
import { coursePath, teaches } from './taught';

function CourseItem({ course }: { course: MyCourse }) {
  return (
    <li class="card" data-testid="my-course" data-code={course.code}>
      <h2 class="card__title">
        <span class="course-code">{course.code}</span> {course.title}
      </h2>
      <p data-testid="my-course-roles">{t.courses.yourRoles(t.common.list(course.roles.map((role) => t.roles[role])))}</p>
      <p class="card__label">{t.courses.sections}</p>
      {course.sections.length === 0 ? (
        <p class="empty">{t.courses.noSections}</p>
      ) : (
        <ul class="chips">
          {course.sections.map((section) => <li key={section.id} class="chip">{section.name}</li>)}
        </ul>
      )}
      {teaches(course) ? (
        <p class="card__link">
          <Link href={coursePath(course.id)} data-testid="my-course-link">
            {t.courses.openExams(course.code)}
          </Link>
        </p>
      ) : course.roles.includes('proctor') ? (
        <p class="hint" data-testid="proctor-hint">{t.courses.proctorHint}</p>
      ) : (
        <p class="empty-state" data-testid="no-exams">{t.courses.noExams}</p>
      )}
    </li>
  );
}

export function CoursesScreen() {
  const loaded = useLoad(myCourses);
  const { view } = useSession();
  const proctors = view?.roles.some((grant) => grant.role === 'proctor') ?? false;
  return (
    <>
      <h1>{t.courses.heading}</h1>
      {proctors && <Watching />}
      <WhenLoaded loaded={loaded}>
        {(courses) =>
          courses.length === 0 ? (
            <p class="empty-state" data-testid="courses-empty">{t.courses.empty}</p>
          ) : (
            <ul class="cards" data-testid="my-courses">
              {courses.map((course) => <CourseItem key={course.id} course={course} />)}
            </ul>
          )
        }
      </WhenLoaded>
    </>
  );
}
