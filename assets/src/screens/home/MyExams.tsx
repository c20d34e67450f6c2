/** The student's published exams on /home, grouped: open now, upcoming, done. */
import { formatDateTime, t } from '../../i18n';
import { myExams, type MyExam } from '../../api/attempts';
import { WhenLoaded } from '../../components/Status';
import { useLoad } from '../../hooks/useLoad';
import { Link } from '../../router';

function group(exam: MyExam): 'open' | 'upcoming' | 'done' {
  if (exam.attempt?.submitted_at != null || exam.phase === 'closed') return 'done';
  return exam.phase === 'open' ? 'open' : 'upcoming';
}

export function MyExams() {
  const loaded = useLoad(myExams);
  return (
    <section aria-labelledby="my-exams-heading" data-testid="my-exams">
      <h2 id="my-exams-heading">{t.home.examsHeading}</h2>
      <WhenLoaded loaded={loaded}>
        {(exams) =>
          exams.length === 0 ? (
            <p class="empty-state">{t.home.noExams}</p>
          ) : (
            (['open', 'upcoming', 'done'] as const).map((key) => {
              const list = exams.filter((exam) => group(exam) === key);
              if (list.length === 0) return null;
              return (
                <section key={key} aria-labelledby={`exams-${key}`} data-testid={`exams-${key}`}>
                  <h3 id={`exams-${key}`}>{t.home.groups[key]}</h3>
                  <ul class="cards">
                    {list.map((exam) => (
                      <li key={exam.id} class="card" data-testid="my-exam">
                        <h4 class="card__title">
                          <Link href={`/exams/${encodeURIComponent(exam.id)}`} data-testid="my-exam-link">{exam.title}</Link>
                        </h4>
                        <p class="card__course" data-testid="my-exam-course">{t.home.course(exam.course.code, exam.course.title)}</p>
                        <p>{t.home.window(formatDateTime(exam.opens_at), formatDateTime(exam.closes_at))}</p>
                        <p>{t.home.duration(exam.duration_minutes, exam.extra_minutes)}</p>
                        {exam.attempt !== null && (
                          <p class="badge badge--info">{exam.attempt.submitted_at !== null ? t.home.submitted : t.home.started}</p>
                        )}
                      </li>
                    ))}
                  </ul>
                </section>
              );
            })
          )
        }
      </WhenLoaded>
    </section>
  );
}
