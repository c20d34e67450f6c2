/**
 * One student's attempt, for everyone who watches the exam: the log of what
 * happened, in order; for the course's instructors and reviewers the
 * signals worth a look (evidence, never a verdict); and each question's code
 * as the server holds it now with its replay, for staff and for proctors
 * when the exam's policy allows. Opening the code is recorded in the audit
 * log, once per viewing.
 */
import { useCallback, useState } from 'preact/hooks';
import { formatDateTime, formatTime, t } from '../../i18n';
import { attemptCode, caseFilePath, replay, reviewSignal, signals, timeline, type Decision, type Signal, type TimelineItem } from '../../api/review';
import { monitor, monitorPath } from '../../api/monitor';
import { NotFoundScreen } from '../not-found/NotFoundScreen';
import { ErrorNotice } from '../../components/ErrorNotice';
import { WhenLoaded } from '../../components/Status';
import { useAction } from '../../hooks/useAction';
import { useLoad } from '../../hooks/useLoad';
import { Link } from '../../router';
import { LiveCode } from './LiveCode';
import { Replay } from './Replay';

const text = t.student;

interface Props {
  courseId: string;
  examId: string;
  attemptId: string;
}

const tone = { low: 'badge--neutral', medium: 'badge--info', high: 'badge--fail' } as const;

/** A signal's decisions, newest first, and the form to add one. */
function Review({ signal, onDecided, decide }: { signal: Signal; onDecided: () => void; decide: (key: string, decision: Decision, comment: string) => Promise<void> }) {
  const [decision, setDecision] = useState<Decision>('noted');
  const [comment, setComment] = useState('');
  const action = useAction();
  const id = `review-${signal.key}`;
  return (
    <div class="review" data-testid="signal-review">
      <p class="hint">{text.review.history}</p>
      {signal.reviews.length === 0 ? (
        <p data-testid="no-decision">{text.review.none}</p>
      ) : (
        <ol class="review__history" data-testid="decisions">
          {signal.reviews.map((review, index) => (
            <li key={index} data-testid="decision" data-decision={review.decision}>
              <strong>{text.review.by(text.review.decisions[review.decision], review.made_by_name, formatDateTime(review.made_at))}</strong>
              {review.comment !== '' && <p>{review.comment}</p>}
            </li>
          ))}
        </ol>
      )}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void action.run(async () => { await decide(signal.key, decision, comment); }).then((done) => {
            if (done) {
              setComment('');
              onDecided();
            }
          });
        }}
        data-testid="review-form"
      >
        <fieldset>
          <legend>{text.review.heading}</legend>
          <label class="field-label" for={`${id}-decision`}>{text.review.decision}</label>
          <select id={`${id}-decision`} class="input" value={decision} onChange={(e) => { setDecision(e.currentTarget.value as Decision); }} data-testid="review-decision">
            {(['dismissed', 'noted', 'referred'] as const).map((d) => <option key={d} value={d}>{text.review.decisions[d]}</option>)}
          </select>
          <label class="field-label" for={`${id}-comment`}>{text.review.comment}</label>
          <textarea id={`${id}-comment`} class="input" rows={2} maxLength={4000} value={comment} onInput={(e) => { setComment(e.currentTarget.value); }} data-testid="review-comment" />
          <ErrorNotice error={action.error} />
          <button type="submit" class="button" disabled={action.busy} data-testid="review-submit">{text.review.submit}</button>
        </fieldset>
      </form>
    </div>
  );
}

function Signals({ found, onDecided, decide }: { found: Signal[]; onDecided: () => void; decide: (key: string, decision: Decision, comment: string) => Promise<void> }) {
  if (found.length === 0) return <p class="empty-state" data-testid="no-signals">{text.noSignals}</p>;
  return (
    <ul class="cards" data-testid="signals">
      {found.map((signal) => (
        <li key={signal.key} class="card" data-testid="signal" data-kind={signal.kind} data-severity={signal.severity}>
          <p>
            <span class={`badge ${tone[signal.severity]}`}>{text.severity[signal.severity]}</span> {signal.summary}
          </p>
          {signal.evidence.length > 0 && (
            <p class="hint">{text.evidence(signal.evidence.map((e) => e.seq).join(', '))}</p>
          )}
          <Review signal={signal} onDecided={onDecided} decide={decide} />
        </li>
      ))}
    </ul>
  );
}

function detail(item: TimelineItem): string {
  const details = item.details ?? {};
  const textOf = (value: unknown): string => (typeof value === 'string' ? value : '');
  if (item.source === 'note') return text.noteBy(textOf(details.note), textOf(details.by));
  if (item.away_seconds !== null) return text.away(item.away_seconds);
  if (item.inserted !== null) return text.inserted(item.inserted) + (item.applied === false ? `, ${text.unmatched}` : '');
  if (item.applied === false) return text.unmatched;
  if (typeof details.size === 'number') return text.clipboard(details.size);
  const shown = Object.entries(details).filter(([key]) => key !== 'text' && key !== 'item');
  return shown.map(([key, value]) => `${key}: ${JSON.stringify(value)}`).join(', ');
}

function Timeline({ items, titles }: { items: TimelineItem[]; titles: Map<string, string> }) {
  return (
    <div class="table-wrap">
      <table class="table table--compact" data-testid="timeline">
        <caption>{text.timelineCaption(items.length)}</caption>
        <thead>
          <tr>
            <th scope="col">{text.columns.at}</th>
            <th scope="col">{text.columns.source}</th>
            <th scope="col">{text.columns.what}</th>
            <th scope="col">{text.columns.question}</th>
            <th scope="col">{text.columns.detail}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item, index) => (
            <tr key={index} data-testid="timeline-item" data-kind={item.kind} data-source={item.source}>
              <td>{formatTime(new Date(item.server_at))}</td>
              <td>{text.sources[item.source]}</td>
              <th scope="row">{item.kind.replaceAll('_', ' ').replaceAll('.', ': ')}</th>
              <td>{item.question_id === null ? '' : titles.get(item.question_id) ?? ''}</td>
              <td>
                {detail(item)}
                {typeof item.details?.text === 'string' && item.details.text !== '' && (
                  <details data-testid="clipboard-text">
                    <summary>{text.clipboardText}</summary>
                    <pre class="clipboard-text">{item.details.text}</pre>
                  </details>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** What the caller may read of the attempt, read in one go: the monitor says what they may do. */
async function load(courseId: string, examId: string, attemptId: string) {
  const watched = await monitor(courseId, examId);
  const row = watched.rows.find((r) => r.attempt?.id === attemptId) ?? null;
  const { can } = watched;
  const [code, found, items, history] = await Promise.all([
    can.read_code ? attemptCode(courseId, examId, attemptId) : null,
    can.review ? signals(courseId, examId, attemptId) : [],
    timeline(courseId, examId, attemptId),
    can.read_code ? replay(courseId, examId, attemptId) : null,
  ]);
  return { watched, row, code, found, items, history };
}

export function StudentScreen({ courseId, examId, attemptId }: Props) {
  const loaded = useLoad(useCallback(() => load(courseId, examId, attemptId), [courseId, examId, attemptId]));
  const decide = useCallback(
    async (key: string, decision: Decision, comment: string) => {
      await reviewSignal(courseId, examId, attemptId, key, decision, comment);
    },
    [courseId, examId, attemptId],
  );
  return (
    <WhenLoaded loaded={loaded}>
      {({ watched, row, code, found, items, history }) => {
        // An attempt of a section the caller does not watch is not theirs to see.
        if (row === null) return <NotFoundScreen />;
        const titles = new Map(watched.question_titles.map((q) => [q.id, q.title]));
        return (
          <>
            <p class="breadcrumb">
              <Link href={monitorPath(courseId, examId)} data-testid="back-to-monitor">{text.back}</Link>
            </p>
            <h1 data-testid="student-heading">{text.heading(row.display_name, watched.title)}</h1>
            <p class="lead">{row.email}</p>
            {watched.can.review && (
              <p class="row-actions">
                <Link href={caseFilePath(courseId, examId, attemptId)} class="button button--secondary" data-testid="open-case-file">{t.caseFile.link}</Link>
              </p>
            )}
            {watched.can.review && (
              <section aria-labelledby="signals-heading">
                <h2 id="signals-heading">{text.signalsHeading}</h2>
                <p class="hint">{text.signalsNote}</p>
                <Signals found={found} onDecided={loaded.reload} decide={decide} />
              </section>
            )}
            {code === null || history === null ? (
              <p class="notice notice--info" data-testid="code-not-shown">{text.codeNotShown}</p>
            ) : (
              <>
                <section aria-labelledby="code-heading">
                  <h2 id="code-heading">{text.codeHeading}</h2>
                  <LiveCode
                    courseId={courseId}
                    examId={examId}
                    attemptId={attemptId}
                    first={code}
                    titles={titles}
                    running={row.attempt?.submitted_at == null}
                  />
                </section>
                <section aria-labelledby="replay-heading">
                  <h2 id="replay-heading">{text.replay.heading}</h2>
                  <Replay data={history} signals={found} />
                </section>
              </>
            )}
            <section aria-labelledby="timeline-heading">
              <h2 id="timeline-heading">{text.timelineHeading}</h2>
              <Timeline items={items} titles={titles} />
            </section>
          </>
        );
      }}
    </WhenLoaded>
  );
}
