/**
 * The receipt as a file the student keeps (docs/autosave.md §6): the
 * receipt exactly as the server holds it (format `examhall-receipt/1`, its
 * compact text on one line, so its SHA-256 can be checked byte for byte),
 * its SHA-256, signature and signing key as the server sent them, and the
 * code handed in for each question. Made in the browser: the server gives a
 * student their code back only once results are released, so the code comes
 * from the exam page that handed it in, and only where its SHA-256 is the
 * one the receipt records.
 */
import type { Receipt, SignedReceipt } from '../api/attempts';

const encoder = new TextEncoder();

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', encoder.encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The code of each answer on `receipt` that `held` has with the same SHA-256, by question id. */
export async function provenCode(receipt: Receipt, held: ReadonlyMap<string, string> | undefined): Promise<ReadonlyMap<string, string>> {
  const proven = new Map<string, string>();
  if (held === undefined) return proven;
  for (const answer of receipt.answers) {
    const code = held.get(answer.question_id);
    if (code !== undefined && (await sha256(code)) === answer.sha256) proven.set(answer.question_id, code);
  }
  return proven;
}

/** `receipt-<exam title>-<local date of submission>.json`, with the submission's number after the first. */
export function receiptFileName(receipt: Receipt): string {
  const slug = receipt.exam.title
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .slice(0, 60)
    .replace(/^-+|-+$/g, '');
  const at = new Date(receipt.submitted_at);
  const date = Number.isNaN(at.getTime())
    ? receipt.submitted_at.slice(0, 10)
    : [at.getFullYear(), at.getMonth() + 1, at.getDate()].map((part) => String(part).padStart(2, '0')).join('-');
  const number = receipt.number > 1 ? `-submission-${String(receipt.number)}` : '';
  return `receipt-${slug === '' ? 'exam' : slug}-${date}${number}.json`;
}

/** The file's text: JSON, the receipt on one line as its exact text, the rest indented. */
export function receiptFileText(signed: SignedReceipt, code: ReadonlyMap<string, string>): string {
  const submitted = signed.receipt.answers.map((answer) => ({
    question_id: answer.question_id,
    title: answer.title,
    code: code.get(answer.question_id) ?? null,
  }));
  const fields = [
    // The server's text is serde_json's compact form, which JSON.stringify
    // of the parsed document gives back unchanged (same order, same escapes).
    `"receipt": ${JSON.stringify(signed.receipt)}`,
    `"sha256": ${JSON.stringify(signed.sha256)}`,
    `"signature": ${JSON.stringify(signed.signature)}`,
    `"signing_key": ${JSON.stringify(signed.signing_key)}`,
    `"submitted_code": ${JSON.stringify(submitted, null, 2)}`,
  ];
  return `{\n${fields.map((field) => `  ${field.replace(/\n/g, '\n  ')}`).join(',\n')}\n}\n`;
}
