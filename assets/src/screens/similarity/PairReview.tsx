/**
 * A pair's decisions, newest first, and the form to add one (dismissed,
 * noted, referred to the exam board, with a comment): the same words and
 * test ids as the decisions on a student's signals. A decision is never
 * changed; a new one goes above it. Nothing here changes a score.
 */
import { useState } from 'preact/hooks';
import { formatDateTime, t } from '../../i18n';
import type { Decision } from '../../api/review';
import type { PairReview as Review } from '../../api/similarity';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useAction } from '../../hooks/useAction';

const words = t.student.review;
const text = t.similarityScreen;

interface Props {
  /** The pair's decisions, newest first. */
  reviews: Review[];
  decide: (decision: Decision, comment: string) => Promise<void>;
}

export function PairReview({ reviews, decide }: Props) {
  const [decision, setDecision] = useState<Decision>('noted');
  const [comment, setComment] = useState('');
  const action = useAction();
  return (
    <section class="similarity-review review" aria-labelledby="pair-review-heading" data-testid="pair-review">
      <h3 id="pair-review-heading">{text.reviewHeading}</h3>
      <p class="hint">{words.history}</p>
      {reviews.length === 0 ? (
        <p data-testid="no-decision">{words.none}</p>
      ) : (
        <ol class="review__history" data-testid="decisions">
          {reviews.map((review, index) => (
            <li key={index} data-testid="decision" data-decision={review.decision}>
              <strong>{words.by(words.decisions[review.decision], review.made_by_name, formatDateTime(review.made_at))}</strong>
              {review.comment !== '' && <p>{review.comment}</p>}
            </li>
          ))}
        </ol>
      )}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void action.run(async () => { await decide(decision, comment); }).then((done) => {
            if (done) setComment('');
          });
        }}
        data-testid="review-form"
      >
        <fieldset>
          <legend>{text.reviewLegend}</legend>
          <label class="field-label" for="pair-review-decision">{words.decision}</label>
          <select id="pair-review-decision" class="input" value={decision} onChange={(e) => { setDecision(e.currentTarget.value as Decision); }} data-testid="review-decision">
            {(['dismissed', 'noted', 'referred'] as const).map((d) => <option key={d} value={d}>{words.decisions[d]}</option>)}
          </select>
          <label class="field-label" for="pair-review-comment">{words.comment}</label>
          <textarea id="pair-review-comment" class="input" rows={3} maxLength={4000} value={comment} onInput={(e) => { setComment(e.currentTarget.value); }} data-testid="review-comment" />
          <ErrorNotice error={action.error} />
          <button type="submit" class="button" disabled={action.busy} data-testid="review-submit">{words.submit}</button>
        </fieldset>
      </form>
    </section>
  );
}
