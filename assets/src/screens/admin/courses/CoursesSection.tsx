/** Courses and their sections: adding a course, and sections to each. */
import { t } from '../../../i18n';
import { listCourses } from '../../../api/org';
import { WhenLoaded } from '../../../components/Status';
import { useLoad } from '../../../hooks/useLoad';
import { CourseCard } from './CourseCard';
import { CreateCourseForm } from './CreateCourseForm';

export function CoursesSection() {
  const loaded = useLoad(listCourses);
  return (
    <>
      <CreateCourseForm onCreated={loaded.reload} />
      <section class="panel" aria-labelledby="courses-heading">
        <h3 id="courses-heading">{t.admin.courses.listHeading}</h3>
        <WhenLoaded loaded={loaded}>
          {(courses) =>
            courses.length === 0 ? (
              <p class="empty">{t.admin.courses.empty}</p>
            ) : (
              <ul class="cards" data-testid="courses">
                {courses.map((course) => (
                  <CourseCard key={course.id} course={course} onChanged={loaded.reload} />
                ))}
              </ul>
            )
          }
        </WhenLoaded>
      </section>
    </>
  );
}
