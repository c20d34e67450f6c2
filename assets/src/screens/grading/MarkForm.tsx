/**
 * A grader's mark of one answer, below its test results: the rubric items
 * awarded, points by hand that replace the computed ones, and feedback for
 * the student; with a second marker, which of the two one marks as. Marks
 * are never changed, only added to (the server keeps each): the form starts
 * from the chosen marker's latest mark, since a save replaces all of it,
 * and the history below lists every mark of the answer, newest first.
 */
import { useId, useRef, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { formatDateTime, t } from '../../i18n';
import { giveMark, type GradingQuestion, type Marker, type StoredMark } from '../../api/grading';
import { CheckboxField, focusFirstInvalid, RadioField, TextAreaField } from '../../components/Field';
import { SaveActions } from '../../components/ErrorNotice';
import { useAction } from '../../hooks/useAction';

const text = t.grading;
/** The server's bound on feedback (service/grading/marking.rs). */
const MAX_FEEDBACK_CHARS = 4000;

/**
 * Points as a person types them, when they are points of 0 to `max` with at
 * most two decimals (the server's rule); undefined otherwise.
 */
export function typedPoints(typed: string, max: number): number | undefined {
  // Digits with at most two decimals: Number() alone would take "0x10" or "1e2".
  if (!/^\d+(?:\.\d{1,2})?$/.test(typed.trim())) return undefined;
  const value = Number(typed.trim());
  const hundredths = value * 100;
  if (typed.trim() === '' || !Number.isFinite(value) || value < 0 || value > max) return undefined;
  return Math.abs(hundredths - Math.round(hundredths)) < 1e-6 ? value : undefined;
}

interface Draft {
  /** Positions of the rubric items ticked. */
  rubric: number[];
  points: string;
  feedback: string;
}

const latestOf = (marks: StoredMark[], marker: Marker): StoredMark | undefined =>
  marks.filter((mark) => mark.marker === marker).at(-1);

const draftOf = (mark: StoredMark | undefined): Draft => ({
  rubric: mark?.rubric ?? [],
  points: mark?.points === null || mark?.points === undefined ? '' : String(mark.points),
  feedback: mark?.feedback ?? '',
});

interface Props {
  courseId: string;
  examId: string;
  submissionId: string;
  question: GradingQuestion;
  /** Every mark given the submission, oldest first. */
  marks: StoredMark[];
  secondMarker: boolean;
  /** Reads the submission's marks and the gradebook again. */
  onSaved: () => void;
}

export function MarkForm({ courseId, examId, submissionId, question, marks, secondMarker, onSaved }: Props) {
  const id = useId();
  const own = marks.filter((mark) => mark.question_id === question.id);
  const [chosen, setChosen] = useState<Marker>('first');
  // The option may have been turned off since the second marker was chosen.
  const marker: Marker = secondMarker ? chosen : 'first';
  const latest = latestOf(own, marker);
  const [draft, setDraft] = useState<Draft>(() => draftOf(latest));
  const [pointsError, setPointsError] = useState<string | undefined>(undefined);
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const form = useRef<HTMLFormElement>(null);
  const rubric = question.scheme.rubric;

  const change = (next: Partial<Draft>): void => {
    setDraft((now) => ({ ...now, ...next }));
    setDone(null);
  };

  const choose = (next: Marker): void => {
    setChosen(next);
    setDraft(draftOf(latestOf(own, next)));
    setPointsError(undefined);
    setDone(null);
  };

  const tick = (position: number, ticked: boolean): void => {
    change({ rubric: ticked ? [...draft.rubric, position] : draft.rubric.filter((p) => p !== position) });
  };

  const submit = async (event: TargetedSubmitEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    setDone(null);
    const points = draft.points.trim() === '' ? null : typedPoints(draft.points, question.points);
    if (points === undefined) {
      setPointsError(text.byHandError(question.points));
      focusFirstInvalid(form.current);
      return;
    }
    setPointsError(undefined);
    // Items since removed from the scheme are dropped: the server takes only positions it has.
    const awarded = draft.rubric.filter((p) => p < rubric.length).sort((a, b) => a - b);
    const given = { question_id: question.id, marker, rubric: rubric.length > 0 ? awarded : null, points, feedback: draft.feedback };
    if (await action.run(() => giveMark(courseId, examId, submissionId, given))) {
      setDone(text.markSaved);
      onSaved();
    }
  };

  return (
    <section aria-labelledby={`${id}-heading`} data-testid="mark-form" data-question={question.id}>
      <h4 id={`${id}-heading`}>{text.markHeading}</h4>
      <form ref={form} class="form--narrow" noValidate onSubmit={(event) => { void submit(event); }}>
        {secondMarker && (
          <RadioField
            legend={text.markerLegend}
            name={`${id}-marker`}
            value={marker}
            onValue={choose}
            options={[
              { value: 'first', label: text.markers.first, testId: 'mark-marker-first' },
              { value: 'second', label: text.markers.second, testId: 'mark-marker-second' },
            ]}
          />
        )}
        <p class="hint" data-testid="mark-latest">
          {latest === undefined ? text.noMark : text.lastMark(latest.marked_by_name, formatDateTime(latest.marked_at))}
        </p>
        {rubric.length > 0 && (
          <fieldset class="field radio-group" aria-describedby={`${id}-rubric-hint`}>
            <legend class="field-label">{text.rubricLegend}</legend>
            <p class="hint" id={`${id}-rubric-hint`}>{text.rubricHint}</p>
            {rubric.map((item, position) => (
              <CheckboxField
                key={position}
                label={text.rubricItem(item.description, item.points)}
                checked={draft.rubric.includes(position)}
                onChecked={(ticked) => { tick(position, ticked); }}
                testId="mark-rubric-item"
              />
            ))}
          </fieldset>
        )}
        <div class="field">
          <label class="field-label" for={`${id}-points`}>{text.byHand}</label>
          <input
            id={`${id}-points`}
            class="input"
            type="number"
            inputMode="decimal"
            min={0}
            max={question.points}
            step={0.01}
            value={draft.points}
            aria-invalid={pointsError === undefined ? undefined : 'true'}
            aria-describedby={`${id}-points-hint${pointsError === undefined ? '' : ` ${id}-points-error`}`}
            onInput={(event) => { change({ points: event.currentTarget.value }); }}
            data-testid="mark-points"
          />
          <p class="hint" id={`${id}-points-hint`}>{text.byHandHint(question.points)}</p>
          {pointsError !== undefined && <p class="field-error" id={`${id}-points-error`} data-testid="mark-points-error">{pointsError}</p>}
        </div>
        <TextAreaField
          label={text.feedback}
          hint={text.feedbackHint}
          value={draft.feedback}
          onValue={(feedback) => { change({ feedback }); }}
          optional
          rows={3}
          maxLength={MAX_FEEDBACK_CHARS}
          testId="mark-feedback"
        />
        <SaveActions busy={action.busy} error={action.error} done={done} label={text.saveMark} testPrefix="mark" />
      </form>
      <MarkHistory question={question} marks={own} />
    </section>
  );
}

/** The items a mark awarded, by their descriptions as the scheme has them now. */
function awardedText(question: GradingQuestion, rubric: number[] | null): string {
  if (rubric === null) return text.historyRubricNotMarked;
  if (rubric.length === 0) return text.historyNone;
  return t.common.list(rubric.map((p) => question.scheme.rubric[p]?.description ?? text.historyItemRemoved(p)));
}

/** Every mark of one answer, newest first: who, when, as which marker, and what they gave. */
function MarkHistory({ question, marks }: { question: GradingQuestion; marks: StoredMark[] }) {
  const id = useId();
  const newestFirst = [...marks].reverse();
  return (
    <section aria-labelledby={`${id}-heading`} data-testid="mark-history">
      <h4 id={`${id}-heading`}>{text.historyHeading}</h4>
      {newestFirst.length === 0 ? (
        <p class="hint">{text.noMarks}</p>
      ) : (
        <ol reversed>
          {newestFirst.map((mark, index) => (
            // Keyed by place in the oldest-first list, which only grows at its end.
            <li key={marks.length - 1 - index} data-testid="mark-history-entry">
              <strong>{text.historyEntry(mark.marked_by_name, formatDateTime(mark.marked_at), mark.marker)}</strong>
              <dl class="facts">
                <dt>{text.historyByHand}</dt>
                <dd>{mark.points === null ? text.historyNoByHand : t.common.count(mark.points)}</dd>
                <dt>{text.historyRubric}</dt>
                <dd>{awardedText(question, mark.rubric)}</dd>
                <dt>{text.historyFeedback}</dt>
                <dd>{mark.feedback.trim() === '' ? text.historyNone : <span class="prewrap">{mark.feedback}</span>}</dd>
              </dl>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
