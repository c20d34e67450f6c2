/**
 * A move code just issued for one student, shown once to the person who
 * issued it, large enough to read aloud across an exam hall.
 */
import { formatTime, t } from '../i18n';
import type { MoveCode } from '../api/exams';

export interface IssuedFor extends MoveCode {
  name: string;
}

export function MoveCodeIssued({ issued, onDismiss }: { issued: IssuedFor; onDismiss: () => void }) {
  const text = t.exam.moveCodeIssued;
  return (
    <section class="notice notice--info" role="status" aria-labelledby="move-code-issued" data-testid="move-code-issued">
      <h2 id="move-code-issued">{text.heading(issued.name)}</h2>
      <p class="move-code" data-testid="move-code-value">{issued.code}</p>
      <p>{text.body(formatTime(new Date(issued.expires_at)))}</p>
      <button type="button" class="button button--secondary button--small" onClick={onDismiss}>{text.dismiss}</button>
    </section>
  );
}
