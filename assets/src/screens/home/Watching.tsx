/**
 * On a proctor's /home: the exams their sections sit, each opening the live
 * monitor of those sections. Shown only to someone who proctors a section.
 */
import { formatDateTime, t } from '../../i18n';
import { monitorPath, watching } from '../../api/monitor';
import { WhenLoaded } from '../../components/Status';
import { useLoad } from '../../hooks/useLoad';
import { Link } from '../../router';

export function Watching() {
  const loaded = useLoad(watching);
  return (
    <section aria-labelledby="watching-heading" data-testid="watching">
      <h2 id="watching-heading">{t.home.watchingHeading}</h2>
      <p class="hint">{t.home.watchingIntro}</p>
      <WhenLoaded loaded={loaded}>
        {(exams) =>
          exams.length === 0 ? (
            <p class="empty-state">{t.home.noExams}</p>
          ) : (
            <ul class="cards">
              {exams.map((exam) => (
                <li key={exam.exam_id} class="card" data-testid="watched-exam">
                  <h3 class="card__title">{t.home.watchingExam(exam.course_code, exam.title)}</h3>
                  <p>{t.home.window(formatDateTime(exam.opens_at), formatDateTime(exam.closes_at))}</p>
                  <p>
                    <Link href={monitorPath(exam.course_id, exam.exam_id)} class="button" data-testid="open-monitor">
                      {t.home.openMonitor}
                    </Link>
                  </p>
                </li>
              ))}
            </ul>
          )
        }
      </WhenLoaded>
    </section>
  );
}
