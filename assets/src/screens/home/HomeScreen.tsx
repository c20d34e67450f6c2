/**
 * A member's start page (`/home`): their exams and courses, and for a
 * proctor the exams their sections sit. No staff navigation or data appears
 * here; the server returns only what the caller's own roles reach.
 */
import { t } from '../../i18n';
import { myCourses } from '../../api/me';
import { WhenLoaded } from '../../components/Status';
import { useLoad } from '../../hooks/useLoad';
import { useSession } from '../../session/SessionProvider';
import { MyExams } from './MyExams';
import { Watching } from './Watching';

export function HomeScreen() {
  const { view } = useSession();
  const loaded = useLoad(myCourses);
  const proctors = view?.roles.some((grant) => grant.role === 'proctor') ?? false;
  const studies = view?.roles.some((grant) => grant.role === 'student') ?? false;
  return (
    <>
      <h1>{t.home.heading}</h1>
      {view !== null && <p class="lead">{t.home.welcome(view.user.display_name)}</p>}
      {proctors && <Watching />}
      {(studies || !proctors) && <MyExams />}
      <WhenLoaded loaded={loaded}>
        {(courses) =>
          courses.length === 0 ? (
            <p class="empty-state" data-testid="home-empty">{t.home.empty}</p>
          ) : (
            <ul class="cards" data-testid="my-courses">
              {courses.map((course) => (
                <li key={course.id} class="card" data-testid="my-course" data-code={course.code}>
                  <h2 class="card__title">
                    <span class="course-code">{course.code}</span> {course.title}
                  </h2>
                  <ul class="chips" data-testid="my-sections">
                    {course.sections.map((section) => (
                      <li key={section.id} class="chip" data-testid="my-section">{t.home.section(section.name)}</li>
                    ))}
                  </ul>
                </li>
              ))}
            </ul>
          )
        }
      </WhenLoaded>
    </>
  );
}
