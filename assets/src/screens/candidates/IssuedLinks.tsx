/**
 * Candidate links just created, shown this once (the server keeps only their
 * hashes): one block per candidate with name, student number, a QR code
 * of the link (described in words), the full address and its validity, made to be printed and cut apart (see
 * `@media print` in styles.css: only this list prints), with copy buttons.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { formatDateTime, t } from '../../i18n';
import type { Exam, IssuedCandidate, MyCourse } from '../../api/types';
import { QrCode } from '../../components/QrCode';

const text = t.candidates.issued;

type CopyState = { kind: 'idle' } | { kind: 'copied'; all: boolean } | { kind: 'failed' };

const urlOf = (candidate: IssuedCandidate): string => location.origin + candidate.link;

interface Props {
  issued: IssuedCandidate[];
  exam: Exam;
  course: MyCourse;
}

export function IssuedLinks({ issued, exam, course }: Props) {
  const heading = useRef<HTMLHeadingElement>(null);
  const [copy, setCopy] = useState<CopyState>({ kind: 'idle' });

  // The new links are what the instructor came for: start reading there.
  useEffect(() => {
    setCopy({ kind: 'idle' });
    heading.current?.focus();
  }, [issued]);

  const copyText = async (value: string, all: boolean, select: () => void): Promise<void> => {
    try {
      await navigator.clipboard.writeText(value);
      setCopy({ kind: 'copied', all });
    } catch {
      select();
      setCopy({ kind: 'failed' });
    }
  };

  const selectNode = (id: string) => (): void => {
    const node = document.getElementById(id);
    if (node !== null) getSelection()?.selectAllChildren(node);
  };

  const everything = issued.map((c) => text.line(c.label, c.student_number ?? '', urlOf(c))).join('\n');

  return (
    <section class="panel print-area" aria-labelledby="issued-heading" data-testid="issued-links">
      <h2 id="issued-heading" ref={heading} tabIndex={-1}>{text.heading(issued.length)}</h2>
      <p class="notice notice--info no-print">{text.note}</p>
      <div class="actions no-print">
        <button type="button" class="button" data-testid="issued-print" onClick={() => { window.print(); }}>
          {text.print}
        </button>
        <button
          type="button"
          class="button button--secondary"
          data-testid="issued-copy-all"
          onClick={() => { void copyText(everything, true, selectNode('issued-list')); }}
        >
          {text.copyAll}
        </button>
      </div>
      <p class="hint no-print" role="status" data-testid="issued-copy-status">
        {copy.kind === 'copied' ? (copy.all ? text.copiedAll : text.copied) : copy.kind === 'failed' ? text.copyFailed : ''}
      </p>
      <ol class="slips" id="issued-list">
        {issued.map((candidate) => {
          const nameId = `slip-${candidate.id}-name`;
          const urlId = `slip-${candidate.id}-url`;
          return (
            <li key={candidate.id} class="slip slip--qr" data-testid="candidate-slip" data-label={candidate.label}>
              <QrCode text={urlOf(candidate)} label={text.qr(candidate.label)} />
              <div>
              <p class="slip__exam">{text.exam(exam.title, course.code)}</p>
              <h3 class="slip__name" id={nameId}>{candidate.label}</h3>
              {candidate.student_number !== null && candidate.student_number !== '' && (
                <p class="slip__number" data-testid="slip-student-number">{text.studentNumber(candidate.student_number)}</p>
              )}
              <p class="slip__url">
                <code id={urlId} data-testid="slip-url">{urlOf(candidate)}</code>
              </p>
              <p class="slip__valid">
                {text.valid(formatDateTime(candidate.valid_from), formatDateTime(candidate.valid_until))}
              </p>
              <p class="slip__how">{text.howTo}</p>
              <button
                type="button"
                class="button button--small button--secondary no-print"
                aria-describedby={nameId}
                data-testid="slip-copy"
                onClick={() => { void copyText(urlOf(candidate), false, selectNode(urlId)); }}
              >
                {text.copy}
              </button>
              </div>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
