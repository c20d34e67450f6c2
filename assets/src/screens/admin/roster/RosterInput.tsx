/** The roster's CSV: a file picker that fills the text box, or text pasted straight in. */
import { useId } from 'preact/hooks';
import type { TargetedEvent } from 'preact';
import { t } from '../../../i18n';

const text = t.admin.roster;

interface Props {
  csv: string;
  onCsv: (csv: string) => void;
  error: string | undefined;
}

export function RosterInput({ csv, onCsv, error }: Props) {
  const id = useId();

  const pick = async (event: TargetedEvent<HTMLInputElement>): Promise<void> => {
    const file = event.currentTarget.files?.[0];
    if (file !== undefined) onCsv(await file.text());
  };

  return (
    <>
      <div class="field">
        <label class="field-label" for={`${id}-file`}>{text.file}</label>
        <input
          id={`${id}-file`}
          class="file-input"
          type="file"
          accept=".csv,text/csv"
          data-testid="roster-file"
          onChange={(event) => { void pick(event); }}
        />
      </div>
      <div class="field">
        <label class="field-label" for={`${id}-text`}>{text.paste}</label>
        <p class="hint" id={`${id}-hint`}>{text.pasteHint}</p>
        <textarea
          id={`${id}-text`}
          class="code-input"
          rows={8}
          spellcheck={false}
          value={csv}
          aria-describedby={error === undefined ? `${id}-hint` : `${id}-hint ${id}-error`}
          aria-invalid={error === undefined ? undefined : 'true'}
          data-testid="roster-text"
          onInput={(event) => { onCsv(event.currentTarget.value); }}
        />
        {error !== undefined && <p class="field-error" id={`${id}-error`}>{error}</p>}
      </div>
    </>
  );
}
