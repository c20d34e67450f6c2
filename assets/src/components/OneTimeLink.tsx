/**
 * A one-time link just issued (invitation, password reset): the full address
 * to hand over, a copy button, and when it stops working. The server keeps
 * only a hash of the token, so this is the one chance to see the link.
 */
import { useEffect, useId, useState } from 'preact/hooks';
import { formatDateTime, t } from '../i18n';

interface Props {
  label: string;
  /** The path the server returned, `/link/<token>`. */
  link: string;
  expiresAt: string;
  testId?: string;
}

type CopyState = 'idle' | 'copied' | 'failed';

export function OneTimeLink({ label, link, expiresAt, testId = 'one-time-link' }: Props) {
  const id = useId();
  const url = location.origin + link;
  const [copy, setCopy] = useState<CopyState>('idle');

  // A new link is what the person came for: move there, selected, ready to copy.
  useEffect(() => {
    setCopy('idle');
    document.getElementById(id)?.focus();
  }, [id, link]);

  const copyLink = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(url);
      setCopy('copied');
    } catch {
      document.getElementById(id)?.focus();
      setCopy('failed');
    }
  };

  return (
    <div class="one-time-link" data-testid={testId}>
      <label class="field-label" for={id}>{label}</label>
      <div class="one-time-link__row">
        <input
          id={id}
          class="input input--mono"
          type="text"
          readOnly
          value={url}
          aria-describedby={`${id}-note`}
          data-testid={`${testId}-url`}
          onFocus={(event) => { event.currentTarget.select(); }}
        />
        <button type="button" class="button button--secondary" onClick={() => { void copyLink(); }}>
          {t.oneTimeLink.copy}
        </button>
      </div>
      <p class="hint" id={`${id}-note`}>{t.oneTimeLink.note(formatDateTime(expiresAt))}</p>
      <p class="hint" role="status">
        {copy === 'copied' ? t.oneTimeLink.copied : copy === 'failed' ? t.oneTimeLink.copyFailed : ''}
      </p>
    </div>
  );
}
