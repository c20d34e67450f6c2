/**
 * The editor's own controls besides those in components/Field: a one-line
 * code field, and Markdown with its rendered preview; multi-line text (prose
 * or code) is Field's TextAreaField, passed on from here. Like Field, each
 * ties its label, hint and error to the control. Code fields use a monospace
 * font and no spellcheck or autocorrect.
 */
import { useId } from 'preact/hooks';
import { t } from '../../i18n';
import { Markdown } from '../../exam/Markdown';
import { codeAttributes, TextAreaField } from '../../components/Field';

export { TextAreaField };

interface Props {
  label: string;
  value: string;
  onValue: (value: string) => void;
  hint?: string | undefined;
  error?: string | undefined;
  optional?: boolean;
  testId?: string;
}

function described(id: string, hint: string | undefined, error: string | undefined): string | undefined {
  const ids = [hint === undefined ? '' : `${id}-hint`, error === undefined ? '' : `${id}-error`].filter(Boolean);
  return ids.length === 0 ? undefined : ids.join(' ');
}

function Label({ id, label, optional }: { id: string; label: string; optional: boolean | undefined }) {
  return (
    <label class="field-label" for={id}>
      {label}
      {optional === true && <span class="field-optional"> ({t.common.optional})</span>}
    </label>
  );
}

function Extras({ id, hint, error }: { id: string; hint: string | undefined; error: string | undefined }) {
  return (
    <>
      {hint !== undefined && <p class="hint" id={`${id}-hint`}>{hint}</p>}
      {error !== undefined && <p class="field-error" id={`${id}-error`}>{error}</p>}
    </>
  );
}

/** One line of Python: an expression or a value. */
export function CodeLineField({ label, value, onValue, hint, error, optional, testId }: Props) {
  const id = useId();
  return (
    <div class="field">
      <Label id={id} label={label} optional={optional} />
      <input
        id={id}
        class="input input--mono"
        type="text"
        value={value}
        aria-invalid={error === undefined ? undefined : 'true'}
        aria-describedby={described(id, hint, error)}
        data-testid={testId}
        onInput={(event) => { onValue(event.currentTarget.value); }}
        {...codeAttributes}
      />
      <Extras id={id} hint={hint} error={error} />
    </div>
  );
}

/**
 * Markdown source and, beside it, the text as students will see it (the same
 * renderer as the exam). `headingLevel` fits the preview's headings under the
 * editor's own.
 */
export function MarkdownField({ headingLevel, ...props }: Props & { headingLevel: number }) {
  const id = useId();
  return (
    <div class="author-markdown">
      <TextAreaField {...props} rows={6} hint={props.hint ?? t.author.markdownHint} />
      <div class="author-preview" role="region" aria-labelledby={`${id}-preview`} data-testid={props.testId === undefined ? undefined : `${props.testId}-preview`}>
        <p class="field-label" id={`${id}-preview`}>{t.author.preview(props.label)}</p>
        {props.value.trim() === '' ? (
          <p class="empty">{t.author.previewEmpty}</p>
        ) : (
          <Markdown source={props.value} headingLevel={headingLevel} />
        )}
      </div>
    </div>
  );
}
