/**
 * A student's case file, for the course's instructors and reviewers to
 * print or hand to the exam board: what every case file says first (a
 * person decides, never examhall), the submissions and their receipts, the
 * signals with the decisions on them, the similar pairs with their matched
 * fragments, the code and the timeline. The same facts download as one
 * archive. Generating it is recorded in the audit log.
 */
import { useCallback } from 'preact/hooks';
import { formatDateTime, t } from '../../i18n';
import { caseFile, caseFileArchive, studentPath, type CaseFile, type CaseDecision } from '../../api/review';
import { WhenLoaded } from '../../components/Status';
import { useLoad } from '../../hooks/useLoad';
import { Link } from '../../router';

const text = t.caseFile;

function Decisions({ reviews }: { reviews: CaseDecision[] }) {
  if (reviews.length === 0) return <p>{text.noDecision}</p>;
  return (
    <ul>
      {reviews.map((r, i) => (
        <li key={i}>{text.decision(r.decision, r.made_by_name, formatDateTime(r.made_at), r.comment)}</li>
      ))}
    </ul>
  );
}

function Document({ file }: { file: CaseFile }) {
  return (
    <article class="case-file" data-testid="case-file">
      <h1>{text.heading(file.student.name, file.exam.title)}</h1>
      <p class="notice" data-testid="case-file-notice"><strong>{file.notice}</strong></p>
      <p>{text.generated(formatDateTime(file.generated_at), file.generated_by)}</p>
      <section aria-labelledby="case-submissions">
        <h2 id="case-submissions">{text.submissions}</h2>
        {file.submissions.length === 0 && <p>{text.notSubmitted}</p>}
        {file.submissions.map((s) => (
          <div key={s.receipt.submission_id}>
            <p>{text.submission(s.receipt.number, s.receipt.reason, formatDateTime(s.receipt.submitted_at), s.sha256)}</p>
            <table class="table table--compact">
              <caption>{text.answersCaption}</caption>
              <thead><tr><th scope="col">{text.question}</th><th scope="col">{text.sha256}</th></tr></thead>
              <tbody>{s.receipt.answers.map((a) => <tr key={a.question_id}><th scope="row">{a.title}</th><td><code>{a.sha256}</code></td></tr>)}</tbody>
            </table>
          </div>
        ))}
      </section>
      <section aria-labelledby="case-signals">
        <h2 id="case-signals">{text.signals}</h2>
        {file.signals.length === 0 && <p>{text.none}</p>}
        {file.signals.map((s) => (
          <div key={s.key} data-testid="case-signal">
            <h3>{text.signal(s.severity, s.kind)}</h3>
            <p>{s.summary}</p>
            <Decisions reviews={s.reviews} />
          </div>
        ))}
      </section>
      <section aria-labelledby="case-pairs">
        <h2 id="case-pairs">{text.pairs}</h2>
        {file.similar_pairs.length === 0 && <p>{text.noPairs}</p>}
        {file.similar_pairs.map((p) => (
          <div key={`${p.question_id}-${p.other_attempt}`} data-testid="case-pair">
            <h3>{text.pair(p.question_title, p.other_student, p.score)}</h3>
            <table class="table table--compact">
              <caption>{text.fragments}</caption>
              <thead><tr><th scope="col">{text.thisStudent}</th><th scope="col">{p.other_student}</th></tr></thead>
              <tbody>{p.fragments.map((f, i) => <tr key={i}><td><pre>{f.this}</pre></td><td><pre>{f.other}</pre></td></tr>)}</tbody>
            </table>
            <Decisions reviews={p.reviews} />
          </div>
        ))}
      </section>
      <section aria-labelledby="case-code">
        <h2 id="case-code">{text.code}</h2>
        {file.answers.map((a) => <div key={a.question_id}><h3>{a.title}</h3><pre class="case-file__code">{a.code}</pre></div>)}
      </section>
      <section aria-labelledby="case-timeline">
        <h2 id="case-timeline">{text.timeline}</h2>
        <table class="table table--compact" data-testid="case-timeline">
          <caption>{text.timelineCaption(file.timeline.length)}</caption>
          <thead><tr><th scope="col">{t.student.columns.at}</th><th scope="col">{t.student.columns.source}</th><th scope="col">{t.student.columns.what}</th><th scope="col">{t.student.columns.detail}</th></tr></thead>
          <tbody>
            {file.timeline.map((item, i) => (
              <tr key={i}>
                <td>{formatDateTime(item.server_at)}</td>
                <td>{t.student.sources[item.source]}</td>
                <th scope="row">{item.kind.replaceAll('_', ' ').replaceAll('.', ': ')}</th>
                <td>{item.away_seconds !== null ? t.student.away(item.away_seconds) : item.inserted !== null ? t.student.inserted(item.inserted) : JSON.stringify(item.details ?? '')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </article>
  );
}

export function CaseFileScreen({ courseId, examId, attemptId }: { courseId: string; examId: string; attemptId: string }) {
  const loaded = useLoad(useCallback(() => caseFile(courseId, examId, attemptId), [courseId, examId, attemptId]));
  return (
    <>
      <p class="breadcrumb no-print">
        <Link href={studentPath(courseId, examId, attemptId)}>{text.back}</Link>
      </p>
      <p class="row-actions no-print">
        <button type="button" class="button" onClick={() => { window.print(); }} data-testid="case-file-print">{text.print}</button>{' '}
        <a class="button button--secondary" href={caseFileArchive(courseId, examId, attemptId)} download data-testid="case-file-download">{text.download}</a>
      </p>
      <WhenLoaded loaded={loaded}>{(file) => <Document file={file} />}</WhenLoaded>
    </>
  );
}
