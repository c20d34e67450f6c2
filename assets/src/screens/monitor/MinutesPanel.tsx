/**
 * Minutes and a reason for one student, from the monitor: more time for a
 * running attempt, or reopening a submitted one. The server bounds both
 * (and a proctor's grants by the exam's policy) and says so in its error;
 * the reason goes to the audit log.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../../i18n';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useAction } from '../../hooks/useAction';

const text = t.monitor.actions;

interface Props {
  /** What the panel does, for whom: its heading. */
  heading: string;
  /** The button that does it. */
  action: string;
  /** The most minutes the caller may give at a time. */
  most: number;
  /** Does it; resolves to what to tell the caller. */
  onGive: (minutes: number, reason: string) => Promise<string>;
  /** Closed: with what was done, or `null` when cancelled. */
  onDone: (message: string | null) => void;
}

export function MinutesPanel({ heading, action, most, onGive, onDone }: Props) {
  const [minutes, setMinutes] = useState(Math.min(10, most));
  const [reason, setReason] = useState('');
  const running = useAction();
  const first = useRef<HTMLInputElement>(null);
  // Opened from a row's button: the keyboard carries on in the form.
  useEffect(() => { first.current?.focus(); }, [heading]);

  const give = async (): Promise<void> => {
    let said = '';
    if (await running.run(async () => { said = await onGive(minutes, reason); })) onDone(said);
  };

  return (
    <section class="panel" aria-labelledby="minutes-heading" data-testid="minutes-panel">
      <h2 id="minutes-heading">{heading}</h2>
      <form onSubmit={(event) => { event.preventDefault(); void give(); }}>
        <label class="field-label" for="minutes-value">{text.minutes}</label>
        <input
          ref={first}
          id="minutes-value"
          class="input"
          type="number"
          min={1}
          max={most}
          required
          value={minutes}
          aria-describedby="minutes-hint"
          onInput={(e) => { setMinutes(Number(e.currentTarget.value)); }}
          data-testid="minutes-value"
        />
        <p id="minutes-hint" class="hint">{text.minutesHint(most)}</p>
        <label class="field-label" for="minutes-reason">{text.reason}</label>
        <input
          id="minutes-reason"
          class="input"
          maxLength={200}
          required
          value={reason}
          onInput={(e) => { setReason(e.currentTarget.value); }}
          data-testid="minutes-reason"
        />
        <ErrorNotice error={running.error} />
        <div class="actions">
          <button type="submit" class="button" disabled={running.busy} data-testid="minutes-give">{action}</button>
          <button type="button" class="button button--secondary" onClick={() => { onDone(null); }}>{text.cancel}</button>
        </div>
      </form>
    </section>
  );
}
