/**
 * A student's receipt as staff see it, folded in a disclosure: the server's
 * time of submission, the attempt and the SHA-256 of each answer, exactly
 * what the student was shown, so the two can be compared character by character.
 */
import { formatDateTime, t } from '../../i18n';
import type { AttemptRow } from '../../api/types';

const text = t.manage.students;

type Receipt = NonNullable<AttemptRow['receipt']>;

export function ReceiptDetails({ receipt, sha256, name }: { receipt: Receipt; sha256: string; name: string }) {
  return (
    <details class="receipt-details" data-testid="receipt" data-attempt={receipt.attempt_id} data-number={receipt.number}>
      <summary>{text.receiptOf(name)}</summary>
      <dl class="details">
        <div>
          <dt>{text.receiptNumber(receipt.number)}</dt>
          <dd class="mono selectable">{receipt.submission_id}</dd>
        </div>
        <div>
          <dt>{text.receiptSubmittedAt}</dt>
          <dd>
            <time dateTime={receipt.submitted_at} data-testid="receipt-submitted-at">{formatDateTime(receipt.submitted_at)}</time>
            {' '}<span class="mono selectable">({receipt.submitted_at})</span>
          </dd>
        </div>
        <div>
          <dt>{text.receiptAttempt}</dt>
          <dd class="mono selectable">{receipt.attempt_id}</dd>
        </div>
        <div>
          <dt>{text.receiptHash}</dt>
          <dd class="mono selectable hash" data-testid="receipt-document-sha256">{sha256}</dd>
        </div>
        {receipt.answers.map((answer) => (
          <div key={answer.question_id} data-testid="receipt-answer" data-question={answer.question_id}>
            <dt>{answer.title}</dt>
            <dd class="mono selectable hash" data-testid="receipt-sha256">{answer.sha256}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
