/** CSV text for an upload: a file picker that fills the text box, or text pasted straight in. */
import { useId } from 'preact/hooks';
import type { TargetedEvent } from 'preact';

interface Props {
  csv: string;
  onCsv: (csv: string) => void;
  fileLabel: string;
  textLabel: string;
  textHint: string;
  error: string | undefined;
  /** Prefix of the test ids: `<prefix>-file` and `<prefix>-text`. */
  testId: string;
  rows?: number;
}

export function CsvInput({ csv, onCsv, fileLabel, textLabel, textHint, error, testId, rows = 8 }: Props) {
  const id = useId();

  const pick = async (event: TargetedEvent<HTMLInputElement>): Promise<void> => {
    const file = event.currentTarget.files?.[0];
    if (file !== undefined) onCsv(await file.text());
  };

  return (
    <>
      <div class="field">
        <label class="field-label" for={`${id}-file`}>{fileLabel}</label>
        <input
          id={`${id}-file`}
          class="file-input"
          type="file"
          accept=".csv,text/csv"
          data-testid={`${testId}-file`}
          onChange={(event) => { void pick(event); }}
        />
      </div>
      <div class="field">
        <label class="field-label" for={`${id}-text`}>{textLabel}</label>
        <p class="hint" id={`${id}-hint`}>{textHint}</p>
        <textarea
          id={`${id}-text`}
          class="code-input"
          rows={rows}
          spellcheck={false}
          value={csv}
          aria-describedby={error === undefined ? `${id}-hint` : `${id}-hint ${id}-error`}
          aria-invalid={error === undefined ? undefined : 'true'}
          data-testid={`${testId}-text`}
          onInput={(event) => { onCsv(event.currentTarget.value); }}
        />
        {error !== undefined && <p class="field-error" id={`${id}-error`}>{error}</p>}
      </div>
    </>
  );
}
