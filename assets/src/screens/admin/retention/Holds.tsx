/**
 * Legal holds: the exams kept whatever the policy says, each released after
 * confirming, and a form to put another published exam on hold with the
 * dispute it is kept for (the audit log records both).
 */
import { useRef, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { formatDateTime, t } from '../../../i18n';
import { holdExam, releaseExam, type HoldableExam, type LegalHold, type RetentionView } from '../../../api/retention';
import { ConfirmedActionButton, useConfirmedAction } from '../../../components/ConfirmedAction';
import { DoneNotice, ErrorNotice } from '../../../components/ErrorNotice';
import { blankFields, focusFirstInvalid, SelectField, TextAreaField } from '../../../components/Field';
import { useAction } from '../../../hooks/useAction';

const text = t.admin.retention.holds;
/** The server's bound on a reason, in characters. */
const MAX_REASON = 500;

function HoldForm({ exams, onHeld }: { exams: HoldableExam[]; onHeld: () => void }) {
  const [examId, setExamId] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<Partial<Record<'exam' | 'reason', string>>>({});
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const form = useRef<HTMLFormElement>(null);

  const submit = async (event: TargetedSubmitEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    setDone(null);
    const found = blankFields({ exam: examId, reason });
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstInvalid(form.current);
      return;
    }
    const title = exams.find((exam) => exam.exam_id === examId)?.title ?? '';
    if (await action.run(async () => { await holdExam(examId, reason.trim()); })) {
      setDone(text.held(title));
      setExamId('');
      setReason('');
      onHeld();
    }
  };

  return (
    <section aria-labelledby="retention-hold-heading">
      <h4 id="retention-hold-heading">{text.formHeading}</h4>
      <DoneNotice text={done} testId="retention-hold-done" />
      {exams.length === 0 ? (
        <p class="empty" data-testid="retention-no-exams">{text.noExams}</p>
      ) : (
        <form ref={form} class="form--narrow" noValidate onSubmit={(event) => { void submit(event); }} data-testid="retention-hold-form">
          <SelectField label={t.admin.retention.exam} value={examId} onValue={setExamId} error={errors.exam} testId="retention-hold-exam">
            <option value="">{text.chooseExam}</option>
            {exams.map((exam) => (
              <option key={exam.exam_id} value={exam.exam_id}>{exam.title}</option>
            ))}
          </SelectField>
          <TextAreaField
            label={text.reason}
            rows={2}
            maxLength={MAX_REASON}
            value={reason}
            onValue={setReason}
            hint={text.reasonHint}
            error={errors.reason}
            testId="retention-hold-reason"
          />
          <ErrorNotice error={action.error} testId="retention-hold-error" />
          <div class="actions">
            <button type="submit" class="button" disabled={action.busy} data-testid="retention-hold-submit">
              {text.submit}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

export function Holds({ view, onChanged }: { view: RetentionView; onChanged: () => void }) {
  const releasing = useConfirmedAction();
  const [released, setReleased] = useState<string | null>(null);
  const held = new Set(view.holds.map((hold) => hold.exam_id));

  const release = async (hold: LegalHold): Promise<void> => {
    setReleased(null);
    const request = { title: text.releaseTitle(hold.title), body: text.releaseBody, action: text.release };
    if (await releasing.run(request, () => releaseExam(hold.exam_id))) {
      setReleased(text.released(hold.title));
      onChanged();
    }
  };

  return (
    <section class="panel" aria-labelledby="retention-holds-heading">
      <h3 id="retention-holds-heading">{text.heading}</h3>
      <p class="hint">{text.intro}</p>
      <ErrorNotice error={releasing.error} testId="retention-release-error" />
      <DoneNotice text={released} testId="retention-released" />
      {view.holds.length === 0 ? (
        <p class="empty" data-testid="retention-holds-empty">{text.empty}</p>
      ) : (
        <div class="table-wrap">
          <table class="table" data-testid="retention-holds">
            <caption>{text.caption}</caption>
            <thead>
              <tr>
                <th scope="col">{t.admin.retention.exam}</th>
                <th scope="col">{text.reason}</th>
                <th scope="col">{text.heldBy}</th>
                <th scope="col">{text.heldAt}</th>
                <th scope="col">{text.actions}</th>
              </tr>
            </thead>
            <tbody>
              {view.holds.map((hold) => (
                <tr key={hold.exam_id} data-testid="retention-hold-row" data-exam={hold.exam_id}>
                  <th scope="row">{hold.title}</th>
                  <td data-testid="retention-hold-reason-text">{hold.reason}</td>
                  <td>{hold.held_by}</td>
                  <td>{formatDateTime(hold.held_at)}</td>
                  <td>
                    <ConfirmedActionButton action={releasing} testId="retention-release" onClick={() => release(hold)}>
                      {text.release}
                      <span class="visually-hidden">{text.releaseWhat(hold.title)}</span>
                    </ConfirmedActionButton>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <HoldForm exams={view.exams.filter((exam) => !held.has(exam.exam_id))} onHeld={onChanged} />
      {releasing.dialog}
    </section>
  );
}
