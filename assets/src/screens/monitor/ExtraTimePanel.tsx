/**
 * More time for one student, from the monitor: how many minutes and why.
 * The server bounds what a proctor may give by the exam's policy and says
 * so in its error; the reason goes to the audit log.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../../i18n';
import { giveExtraTime, type MonitorRow } from '../../api/monitor';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useAction } from '../../hooks/useAction';

const text = t.monitor.actions;

interface Props {
  courseId: string;
  examId: string;
  row: MonitorRow;
  /** The most minutes the caller may give at a time. */
  most: number;
  onDone: (message: string | null) => void;
}

export function ExtraTimePanel({ courseId, examId, row, most, onDone }: Props) {
  const [minutes, setMinutes] = useState(Math.min(10, most));
  const [reason, setReason] = useState('');
  const action = useAction();
  const first = useRef<HTMLInputElement>(null);
  // Opened from a row's button: the keyboard carries on in the form.
  useEffect(() => { first.current?.focus(); }, [row.user_id]);

  const give = async (): Promise<void> => {
    let total = 0;
    const done = await action.run(async () => {
      total = (await giveExtraTime(courseId, examId, row.user_id, minutes, reason)).minutes;
    });
    if (done) onDone(text.given(row.display_name, total));
  };

  return (
    <section class="panel" aria-labelledby="more-time-heading" data-testid="more-time">
      <h2 id="more-time-heading">{text.moreTimeFor(row.display_name)}</h2>
      <form onSubmit={(event) => { event.preventDefault(); void give(); }}>
        <label class="field-label" for="more-time-minutes">{text.minutes}</label>
        <input
          ref={first}
          id="more-time-minutes"
          class="input"
          type="number"
          min={1}
          max={most}
          required
          value={minutes}
          aria-describedby="more-time-hint"
          onInput={(e) => { setMinutes(Number(e.currentTarget.value)); }}
          data-testid="more-time-minutes"
        />
        <p id="more-time-hint" class="hint">{text.minutesHint(most)}</p>
        <label class="field-label" for="more-time-reason">{text.reason}</label>
        <input
          id="more-time-reason"
          class="input"
          maxLength={200}
          required
          value={reason}
          onInput={(e) => { setReason(e.currentTarget.value); }}
          data-testid="more-time-reason"
        />
        <ErrorNotice error={action.error} />
        <div class="actions">
          <button type="submit" class="button" disabled={action.busy} data-testid="more-time-give">{text.give}</button>
          <button type="button" class="button button--secondary" onClick={() => { onDone(null); }}>{text.cancel}</button>
        </div>
      </form>
    </section>
  );
}
