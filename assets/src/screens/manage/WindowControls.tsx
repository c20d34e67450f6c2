/**
 * An instructor's control over a published exam's window: close it now
 * (after confirming; running attempts end with it) or extend it to a later
 * time, chosen in the reader's local time and sent as RFC 3339. A draft's
 * window is part of its settings, and a closed exam stays closed.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { formatDateTime, t } from '../../i18n';
import { closeExam, extendExam } from '../../api/exams';
import type { Exam } from '../../api/types';
import { useConfirm } from '../../components/ConfirmDialog';
import { DoneNotice, ErrorNotice } from '../../components/ErrorNotice';
import { focusFirstInvalid, TextField } from '../../components/Field';
import { fromLocalInput, toLocalInput } from '../../components/localTime';
import { useAction } from '../../hooks/useAction';

const text = t.manage.window;

interface Props {
  courseId: string;
  exam: Exam;
  onChanged: () => void;
}

export function WindowControls({ courseId, exam, onChanged }: Props) {
  const [dialog, confirm] = useConfirm();
  const closing = useAction();
  const extending = useAction();
  const [closesAt, setClosesAt] = useState(() => toLocalInput(exam.closes_at));
  const [invalid, setInvalid] = useState<string | undefined>(undefined);
  const [done, setDone] = useState<string | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  // After the window moves, the control starts from the new closing time.
  useEffect(() => { setClosesAt(toLocalInput(exam.closes_at)); }, [exam.closes_at]);

  const close = async (): Promise<void> => {
    setDone(null);
    const sure = await confirm({ title: text.closeTitle(exam.title), body: text.closeBody, action: text.closeNow });
    if (!sure) return;
    if (await closing.run(async () => { await closeExam(courseId, exam.id); })) {
      setDone(text.closedNow);
      onChanged();
      // The buttons go away with the open window: keep the reader's place at this section.
      heading.current?.focus();
    }
  };

  const extend = async (event: TargetedSubmitEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    setDone(null);
    const at = fromLocalInput(closesAt);
    const problem =
      at === null ? t.common.required : Date.parse(at) <= Date.parse(exam.closes_at) ? text.notLater : undefined;
    setInvalid(problem);
    if (at === null || problem !== undefined) {
      focusFirstInvalid(form.current);
      return;
    }
    if (await extending.run(async () => { await extendExam(courseId, exam.id, at); })) {
      setDone(text.extended(formatDateTime(at)));
      onChanged();
    }
  };

  const running = exam.phase === 'published' || exam.phase === 'open';
  return (
    <section class="panel" aria-labelledby="window-heading" data-testid="window-controls">
      <h2 id="window-heading" ref={heading} tabIndex={-1}>{text.heading}</h2>
      <DoneNotice text={done} testId="window-done" />
      {exam.phase === 'draft' && <p class="empty-state">{text.draft}</p>}
      {exam.phase === 'closed' && <p class="empty-state" data-testid="window-closed">{text.closed}</p>}
      {running && (
        <>
          <ErrorNotice error={closing.error} testId="close-error" />
          <div class="actions">
            <button
              type="button"
              class="button button--danger"
              disabled={closing.busy}
              data-testid="close-now"
              onClick={() => { void close(); }}
            >
              {closing.busy ? text.closing : text.closeNow}
            </button>
          </div>
          <form ref={form} class="inline-form form--narrow" noValidate onSubmit={(event) => { void extend(event); }} data-testid="extend-form">
            <TextField
              label={text.extendTo}
              type="datetime-local"
              value={closesAt}
              onValue={setClosesAt}
              hint={text.extendHint(formatDateTime(exam.closes_at))}
              error={invalid}
              testId="extend-to"
            />
            <ErrorNotice error={extending.error} testId="extend-error" />
            <div class="actions">
              <button type="submit" class="button" disabled={extending.busy} data-testid="extend-submit">
                {extending.busy ? text.extending : text.extend}
              </button>
            </div>
          </form>
        </>
      )}
      {dialog}
    </section>
  );
}
