/**
 * The candidate links of an exam with their status. Active and used links can
 * be revoked, and a link not yet replaced can be issued again (for a candidate
 * who closed the browser before submitting), each after confirming.
 */
import { useState } from 'preact/hooks';
import { formatDateTime, t } from '../../i18n';
import { reissueCandidate, revokeCandidate } from '../../api/exams';
import type { Candidate, CandidateStatus, IssuedCandidate } from '../../api/types';
import { ConfirmedActionButton, useConfirmedAction } from '../../components/ConfirmedAction';
import { DoneNotice, ErrorNotice } from '../../components/ErrorNotice';

const text = t.candidates.list;

const tone: Record<CandidateStatus, string> = {
  active: 'badge--info',
  redeemed: 'badge--pass',
  revoked: 'badge--fail',
  replaced: 'badge--neutral',
  expired: 'badge--neutral',
};

/** A link not used yet stops working; a used one also signs its candidate out. */
const revocable = (candidate: Candidate): boolean => candidate.status === 'active' || candidate.status === 'redeemed';

/**
 * A link that is not replaced or expired can be issued again; the server
 * refuses, with a sentence, when the candidate has already submitted.
 */
const reissuable = (candidate: Candidate): boolean => candidate.status !== 'replaced' && candidate.status !== 'expired';

const byLabel = new Intl.Collator(t.lang, { numeric: true, sensitivity: 'base' });

interface Props {
  courseId: string;
  examId: string;
  candidates: Candidate[];
  sectionNames: Map<string, string>;
  onChanged: () => void;
  /** A new link was issued for a candidate: it is shown this once. */
  onReissued: (link: IssuedCandidate) => void;
}

export function CandidateTable({ courseId, examId, candidates, sectionNames, onChanged, onReissued }: Props) {
  // One action for the table: one dialog, and every button waits while either runs.
  const action = useConfirmedAction();
  const [done, setDone] = useState<string | null>(null);
  const sorted = [...candidates].sort((a, b) => byLabel.compare(a.label, b.label) || a.created_at.localeCompare(b.created_at));

  const revoke = async (candidate: Candidate): Promise<void> => {
    setDone(null);
    const request = {
      title: text.revokeTitle(candidate.label),
      body: candidate.status === 'redeemed' ? text.revokeUsedBody : text.revokeBody,
      action: text.revokeConfirm,
    };
    if (await action.run(request, () => revokeCandidate(courseId, examId, candidate.id))) {
      setDone(text.revoked(candidate.label));
      onChanged();
    }
  };

  const reissue = async (candidate: Candidate): Promise<void> => {
    setDone(null);
    const request = { title: text.reissueTitle(candidate.label), body: text.reissueBody, action: text.reissueConfirm };
    let link: IssuedCandidate | undefined;
    const work = async (): Promise<void> => {
      link = await reissueCandidate(courseId, examId, candidate.id);
    };
    if ((await action.run(request, work)) && link !== undefined) {
      setDone(text.reissued(candidate.label));
      onReissued(link);
    }
  };

  return (
    <>
      <ErrorNotice error={action.error} testId="candidate-action-error" />
      <DoneNotice text={done} testId="revoke-candidate-done" />
      {candidates.length === 0 ? (
        <p class="empty" data-testid="candidates-empty">{text.empty}</p>
      ) : (
        <div class="table-wrap">
          <table class="table" data-testid="candidates">
            <caption class="visually-hidden">{text.caption(candidates.length)}</caption>
            <thead>
              <tr>
                <th scope="col">{text.name}</th>
                <th scope="col">{text.studentNumber}</th>
                <th scope="col">{text.section}</th>
                <th scope="col">{text.validity}</th>
                <th scope="col">{text.status}</th>
                <th scope="col">{text.actions}</th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((candidate) => (
                <tr key={candidate.id} data-testid="candidate-row" data-label={candidate.label} data-status={candidate.status}>
                  <th scope="row" id={`candidate-${candidate.id}`}>{candidate.label}</th>
                  <td>{candidate.student_number ?? ''}</td>
                  <td>{sectionNames.get(candidate.section_id) ?? t.common.unknown}</td>
                  <td class="cell--small">
                    {t.exams.window(formatDateTime(candidate.valid_from), formatDateTime(candidate.valid_until))}
                  </td>
                  <td>
                    <span class={`badge ${tone[candidate.status]}`} data-testid="candidate-status">
                      {text.statusText[candidate.status]}
                    </span>
                    {candidate.redeemed_at !== null && (
                      <span class="cell--small block">{text.redeemedAt(formatDateTime(candidate.redeemed_at))}</span>
                    )}
                  </td>
                  <td>
                    {revocable(candidate) && (
                      <ConfirmedActionButton
                        action={action}
                        danger
                        describedBy={`candidate-${candidate.id}`}
                        testId="candidate-revoke"
                        onClick={() => revoke(candidate)}
                      >
                        {text.revoke}
                      </ConfirmedActionButton>
                    )}
                    {reissuable(candidate) && (
                      <ConfirmedActionButton
                        action={action}
                        describedBy={`candidate-${candidate.id}`}
                        testId="candidate-reissue"
                        onClick={() => reissue(candidate)}
                      >
                        {text.reissue}
                      </ConfirmedActionButton>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {action.dialog}
    </>
  );
}
