/**
 * An exam's policy (`/courses/<course>/exams/<exam>/policy`): the thresholds
 * its integrity signals are derived with, beside its profile's own, and what
 * its proctors may do. The course's instructors change it; its reviewers and
 * the proctors of its sections read it in words. The server decides who may
 * read (anyone else gets "page not found") and refuses changes from anyone
 * but an instructor; the caller's grants only choose the form or the words.
 */
import { useCallback, useState } from 'preact/hooks';
import { formatDateTime, t } from '../../i18n';
import { getExam } from '../../api/exams';
import { monitorPath, watching } from '../../api/monitor';
import { getPolicy, type ExamPolicy } from '../../api/policy';
import type { Grant } from '../../api/types';
import { isNotFound } from '../../components/problem';
import { WhenLoaded } from '../../components/Status';
import { useLoad } from '../../hooks/useLoad';
import { Link } from '../../router';
import { useSession } from '../../session/SessionProvider';
import { examPagePath } from '../courses/taught';
import { NotFoundScreen } from '../not-found/NotFoundScreen';
import { PolicyForm } from './PolicyForm';
import { ThresholdTable } from './ThresholdTable';
import './policy.css';

const text = t.policy;

interface Props {
  courseId: string;
  examId: string;
}

/** Whether `grants` hold `role` for the whole of course `courseId`. */
const holdsCourse = (grants: readonly Grant[], courseId: string, role: Grant['role']): boolean =>
  grants.some((grant) => grant.course_id === courseId && grant.section_id === null && grant.role === role);

/** The exam's title: course staff read the exam, a proctor the exams their sections sit. */
async function examTitle(courseId: string, examId: string, teaches: boolean): Promise<string | null> {
  if (teaches) return (await getExam(courseId, examId)).title;
  return (await watching()).find((exam) => exam.exam_id === examId)?.title ?? null;
}

/** The policy in words, for reviewers and proctors. */
function PolicyText({ policy }: { policy: ExamPolicy }) {
  return (
    <>
      <p class="hint" data-testid="policy-read-only">{text.readOnly}</p>
      <section class="panel panel--wide" aria-labelledby="policy-thresholds-heading">
        <h2 id="policy-thresholds-heading">{text.thresholds.heading}</h2>
        <ThresholdTable policy={policy} />
      </section>
      <section class="panel panel--wide" aria-labelledby="policy-proctors-heading">
        <h2 id="policy-proctors-heading">{text.proctors.heading}</h2>
        <dl class="facts">
          <dt>{text.proctors.readCode}</dt>
          <dd data-testid="policy-read-code">{policy.proctors_read_code ? text.proctors.yes : text.proctors.no}</dd>
          <dt>{text.proctors.extraMinutes}</dt>
          <dd data-testid="policy-extra-minutes">{t.common.count(policy.proctor_extra_minutes)}</dd>
        </dl>
      </section>
    </>
  );
}

export function PolicyScreen({ courseId, examId }: Props) {
  const { view } = useSession();
  const grants = view?.roles ?? [];
  const instructs = holdsCourse(grants, courseId, 'instructor');
  const teaches = instructs || holdsCourse(grants, courseId, 'reviewer');
  const load = useCallback(async () => {
    const [policy, title] = await Promise.all([getPolicy(courseId, examId), examTitle(courseId, examId, teaches)]);
    return { policy, title };
  }, [courseId, examId, teaches]);
  const loaded = useLoad(load);
  // What the last save answered; the loaded policy until then.
  const [saved, setSaved] = useState<ExamPolicy | null>(null);

  if (loaded.data === undefined && isNotFound(loaded.error)) return <NotFoundScreen />;
  return (
    <WhenLoaded loaded={loaded}>
      {({ policy: first, title }) => {
        const policy = saved ?? first;
        return (
          <>
            <p class="breadcrumb">
              {teaches ? (
                <Link href={examPagePath(courseId, examId)} data-testid="policy-back">{text.backToExam}</Link>
              ) : (
                <Link href={monitorPath(courseId, examId)} data-testid="policy-back">{text.backToMonitor}</Link>
              )}
            </p>
            <h1 data-testid="policy-heading">{title === null ? text.link : text.heading(title)}</h1>
            <p class="notice notice--info" data-testid="policy-note">{text.note}</p>
            <p data-testid="policy-profile">{text.profile(text.profiles[policy.profile])}</p>
            <p data-testid="policy-adjusted" data-adjusted={String(policy.adjusted)}>
              {policy.adjusted ? text.adjusted : text.notAdjusted}
            </p>
            {policy.updated_by_name !== null && policy.updated_at !== null && (
              <p class="hint" data-testid="policy-last-changed">
                {text.lastChanged(policy.updated_by_name, formatDateTime(policy.updated_at))}
              </p>
            )}
            {instructs ? (
              <PolicyForm courseId={courseId} examId={examId} policy={policy} onSaved={setSaved} />
            ) : (
              <PolicyText policy={policy} />
            )}
          </>
        );
      }}
    </WhenLoaded>
  );
}
