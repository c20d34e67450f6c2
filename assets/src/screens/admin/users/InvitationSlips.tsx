/**
 * Credentials in bulk for people who have not chosen a password yet
 * (students imported from a roster): one invitation link each, shown this
 * once, as printable sign-in slips (name, student number, e-mail, a QR code
 * of the link and the link itself, to cut apart for the hall's desks; see
 * `@media print`) and as a CSV file. Making new links voids none of the
 * earlier ones; each is audited.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { formatDateTime, t } from '../../../i18n';
import { issueInvitations, type IssuedInvitations } from '../../../api/org';
import type { OrgUser } from '../../../api/types';
import { ErrorNotice } from '../../../components/ErrorNotice';
import { QrCode } from '../../../components/QrCode';
import { saveFile } from '../../../download';
import { useAction } from '../../../hooks/useAction';

const text = t.admin.invitations;

/** The most people one request asks links for (the server's own bound). */
const BATCH = 2000;

/** A CSV field, quoted when it needs to be; a leading =, +, - or @ is defused for spreadsheets. */
function field(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

interface Props {
  users: OrgUser[];
}

export function InvitationSlips({ users }: Props) {
  const waiting = users.filter((user) => user.status === 'active' && !user.has_password);
  const [issued, setIssued] = useState<IssuedInvitations | null>(null);
  const action = useAction();
  const heading = useRef<HTMLHeadingElement>(null);
  const urlOf = (link: string): string => location.origin + link;

  useEffect(() => {
    if (issued !== null) heading.current?.focus();
  }, [issued]);

  const make = () =>
    action.run(async () => {
      const ids = waiting.map((user) => user.id);
      const parts: IssuedInvitations[] = [];
      for (let start = 0; start < ids.length; start += BATCH) parts.push(await issueInvitations(ids.slice(start, start + BATCH)));
      setIssued({
        links: parts.flatMap((part) => part.links),
        skipped: parts.flatMap((part) => part.skipped),
        expires_at: parts[0]?.expires_at ?? '',
      });
    });

  const downloadCsv = (): void => {
    if (issued === null) return;
    const rows = [['name', 'student_number', 'email', 'link', 'valid_until']];
    for (const link of issued.links) {
      rows.push([link.display_name, link.student_number ?? '', link.email, urlOf(link.link), issued.expires_at]);
    }
    saveFile('invitation-links.csv', `${rows.map((row) => row.map(field).join(',')).join('\r\n')}\r\n`, 'text/csv');
  };

  return (
    <section class="panel" aria-labelledby="invitations-heading" data-testid="invitations">
      <h3 id="invitations-heading">{text.heading}</h3>
      <p>{text.intro}</p>
      <ErrorNotice error={action.error} testId="invitations-error" />
      <div class="actions">
        <button
          type="button"
          class="button button--secondary"
          disabled={action.busy || waiting.length === 0}
          onClick={() => { void make(); }}
          data-testid="invitations-make"
        >
          {text.make(waiting.length)}
        </button>
      </div>
      {issued !== null && (
        <div class="print-area" data-testid="invitations-issued">
          <h4 id="invitations-issued-heading" ref={heading} tabIndex={-1}>{text.issued(issued.links.length, formatDateTime(issued.expires_at))}</h4>
          <p class="notice notice--info no-print">{text.once}</p>
          <div class="actions no-print">
            <button type="button" class="button" onClick={() => { window.print(); }} data-testid="invitations-print">{text.print}</button>
            <button type="button" class="button button--secondary" onClick={downloadCsv} data-testid="invitations-csv">{text.csv}</button>
          </div>
          {issued.skipped.length > 0 && <p class="no-print" data-testid="invitations-skipped">{text.skipped(issued.skipped.length)}</p>}
          <ol class="slips">
            {issued.links.map((link) => (
              <li key={link.user_id} class="slip slip--qr" data-testid="invitation-slip" data-email={link.email}>
                <QrCode text={urlOf(link.link)} label={text.qr(link.display_name)} />
                <div>
                  <h5 class="slip__name">{link.display_name}</h5>
                  {link.student_number !== null && <p class="slip__number">{text.studentNumber(link.student_number)}</p>}
                  <p>{text.email(link.email)}</p>
                  <p class="slip__url"><code data-testid="invitation-url">{urlOf(link.link)}</code></p>
                  <p class="slip__how">{text.howTo(formatDateTime(issued.expires_at))}</p>
                </div>
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
