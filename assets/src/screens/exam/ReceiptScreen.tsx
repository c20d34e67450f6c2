/**
 * The receipt of a submitted exam (`/exams/:examId/receipt`): the server's
 * time of submission and the SHA-256 of each answer and of the receipt
 * itself, selectable, with a note to write them down, and a file to
 * download with the receipt and the code handed in (exam/receiptFile.ts);
 * and, when changes arrived after the deadline, what became of them.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { formatDateTime, t } from '../../i18n';
import { fetchReceipt, fetchSubmittedCode, type SignedReceipt } from '../../api/attempts';
import { WhenLoaded } from '../../components/Status';
import { useLoad } from '../../hooks/useLoad';
import { Link } from '../../router';
import { handedInCode, handedInSecret, lateOutcomes, receipts } from '../../exam/handoff';
import { provenCode, receiptFileName, receiptFileText } from '../../exam/receiptFile';
import { saveFile } from '../../download';

export function ReceiptScreen({ examId }: { examId: string }) {
  const load = useCallback(async () => {
    const known = receipts.get(examId);
    if (known !== undefined) return known;
    // The automatic submission at the deadline may take a moment: ask a few times.
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await fetchReceipt(examId);
      } catch (error) {
        if (attempt >= 4) throw error;
        await new Promise((done) => setTimeout(done, 1500));
      }
    }
  }, [examId]);
  const loaded = useLoad(load);
  const late = lateOutcomes.get(examId);
  const lateText = late === undefined ? '' : t.exam.late(late.accepted, late.pending, late.refused);
  return (
    <>
      <p class="breadcrumb"><Link href="/home">{t.exam.back}</Link></p>
      <h1>{t.exam.receiptHeading}</h1>
      <WhenLoaded loaded={loaded}>
        {(signed) => {
          const { receipt, sha256, signature } = signed;
          return (
            <div data-testid="receipt">
              <p class="notice notice--done" role="status">{t.exam.receiptIntro}</p>
              {lateText !== '' && <p class="notice notice--info" data-testid="receipt-late">{lateText}</p>}
              <dl class="facts">
                <dt>{t.exam.receiptNumber(receipt.number)}</dt>
                <dd class="mono selectable" data-testid="receipt-submission">{receipt.submission_id}</dd>
                {receipt.previous_submission_id !== null && (
                  <>
                    <dt>{t.exam.receiptReplaces}</dt>
                    <dd class="mono selectable">{receipt.previous_submission_id}</dd>
                  </>
                )}
                <dt>{t.exam.receiptSubmittedAt}</dt>
                <dd>
                  <time dateTime={receipt.submitted_at} data-testid="receipt-submitted-at">{formatDateTime(receipt.submitted_at)}</time>
                  {' '}<span class="mono selectable">({receipt.submitted_at})</span>
                </dd>
                <dt>{t.exam.receiptAttempt}</dt>
                <dd class="mono selectable">{receipt.attempt_id}</dd>
                <dt>{t.exam.receiptDocumentHash}</dt>
                <dd class="mono selectable hash" data-testid="receipt-document-sha256">{sha256}</dd>
                {signature !== null && (
                  <>
                    <dt>{t.exam.receiptSignature}</dt>
                    <dd>
                      <span class="mono selectable hash" data-testid="receipt-signature">{signature}</span>
                      <br />
                      <span class="hint">{t.exam.receiptSignatureHint}</span>
                    </dd>
                  </>
                )}
              </dl>
              <div class="table-wrap">
                <table class="table">
                  <thead>
                    <tr><th scope="col">{t.exam.receiptQuestion}</th><th scope="col">{t.exam.receiptHash}</th></tr>
                  </thead>
                  <tbody>
                    {receipt.answers.map((answer) => (
                      <tr key={answer.question_id} data-testid="receipt-answer" data-question={answer.question_id}>
                        <th scope="row">{answer.title}</th>
                        <td class="mono selectable hash" data-testid="receipt-sha256">{answer.sha256}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <p><strong>{t.exam.receiptNote}</strong></p>
              <ReceiptDownload signed={signed} />
            </div>
          );
        }}
      </WhenLoaded>
    </>
  );
}

/** Saves the receipt with the code this page handed in, where the receipt proves it, as a JSON file. */
function ReceiptDownload({ signed }: { signed: SignedReceipt }) {
  const [code, setCode] = useState<ReadonlyMap<string, string> | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    // Right after submitting the page holds the code it handed in; after a
    // reload it asks the server for what this submission holds. Either way
    // only code whose SHA-256 the receipt records goes into the file.
    const held = handedInCode.get(signed.receipt.attempt_id);
    const fetched = async (): Promise<ReadonlyMap<string, string> | undefined> => {
      try {
        // The binding's secret this tab kept when it handed the attempt in.
        const secret = handedInSecret(signed.receipt.attempt_id);
        if (secret === null) return undefined;
        const submitted = await fetchSubmittedCode(signed.receipt.exam.id, secret);
        if (submitted.submission_id !== signed.receipt.submission_id) return undefined;
        return new Map(submitted.answers.map((answer) => [answer.question_id, answer.code]));
      } catch {
        return undefined;
      }
    };
    void (held === undefined ? fetched() : Promise.resolve(held))
      .then((code) => provenCode(signed.receipt, code))
      .then((proven) => {
        if (current) setCode(proven);
      });
    return () => { current = false; };
  }, [signed]);

  const download = (): void => {
    if (code === null) return;
    const name = receiptFileName(signed.receipt);
    saveFile(name, receiptFileText(signed, code), 'application/json');
    setSaved(name);
  };

  return (
    <div class="receipt-download">
      <button
        type="button"
        class="button"
        onClick={download}
        aria-describedby="receipt-download-hint"
        data-testid="receipt-download"
        data-code={code === null ? undefined : String(code.size)}
      >
        {t.exam.receiptDownload.button}
      </button>
      <p class="hint" id="receipt-download-hint">
        {code === null ? '' : t.exam.receiptDownload.holds(code.size, signed.receipt.answers.length)}
      </p>
      <p role="status" data-testid="receipt-download-status">{saved === null ? '' : t.exam.receiptDownload.started(saved)}</p>
    </div>
  );
}
