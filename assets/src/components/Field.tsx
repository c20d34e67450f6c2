/**
 * Labelled form controls. Each ties its label, hint and error to the control
 * (for / aria-describedby / aria-invalid), so a screen reader reads all three
 * and the error sits right under the field it is about.
 */
import { useId } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { t } from '../i18n';

interface Common {
  label: string;
  value: string;
  onValue: (value: string) => void;
  hint?: string | undefined;
  error?: string | undefined;
  /** Marks the label "optional"; every other field is required. */
  optional?: boolean;
  testId?: string;
}

function useFieldIds(hint: string | undefined, error: string | undefined) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const described = [hint === undefined ? '' : hintId, error === undefined ? '' : errorId].filter(Boolean).join(' ');
  return { id, hintId, errorId, describedBy: described === '' ? undefined : described };
}

function Label({ id, label, optional }: { id: string; label: string; optional: boolean | undefined }) {
  return (
    <label class="field-label" for={id}>
      {label}
      {optional === true && <span class="field-optional"> ({t.common.optional})</span>}
    </label>
  );
}

function Extras({ hint, error, hintId, errorId }: { hint?: string | undefined; error?: string | undefined; hintId: string; errorId: string }) {
  return (
    <>
      {hint !== undefined && <p class="hint" id={hintId}>{hint}</p>}
      {error !== undefined && <p class="field-error" id={errorId}>{error}</p>}
    </>
  );
}

interface InputProps {
  /** `datetime-local` takes and gives local time as `YYYY-MM-DDTHH:mm` (see localTime.ts). */
  type?: 'text' | 'email' | 'password' | 'search' | 'datetime-local' | 'date';
  autoComplete?: string;
  autoCapitalize?: 'none' | 'sentences' | 'words';
  spellcheck?: boolean;
  autoFocus?: boolean;
}

export function TextField({
  label, value, onValue, hint, error, optional, testId,
  type = 'text', autoComplete, autoCapitalize, spellcheck, autoFocus,
}: Common & InputProps) {
  const ids = useFieldIds(hint, error);
  return (
    <div class="field">
      <Label id={ids.id} label={label} optional={optional} />
      <input
        class="input"
        // Preact types the attributes of each input type apart, and tsc cannot
        // match a union of types to them; the lint rule misjudges that.
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
        type={type as 'text'}
        autoComplete={autoComplete}
        autoCapitalize={autoCapitalize}
        spellcheck={spellcheck}
        autoFocus={autoFocus}
        id={ids.id}
        value={value}
        required={optional !== true}
        aria-invalid={error === undefined ? undefined : 'true'}
        aria-describedby={ids.describedBy}
        data-testid={testId}
        onInput={(event) => { onValue(event.currentTarget.value); }}
      />
      <Extras hint={hint} error={error} hintId={ids.hintId} errorId={ids.errorId} />
    </div>
  );
}

export function SelectField({
  label, value, onValue, hint, error, optional, testId, children,
}: Common & { children: ComponentChildren }) {
  const ids = useFieldIds(hint, error);
  return (
    <div class="field">
      <Label id={ids.id} label={label} optional={optional} />
      <select
        class="input"
        id={ids.id}
        value={value}
        required={optional !== true}
        aria-invalid={error === undefined ? undefined : 'true'}
        aria-describedby={ids.describedBy}
        data-testid={testId}
        onChange={(event) => { onValue(event.currentTarget.value); }}
      >
        {children}
      </select>
      <Extras hint={hint} error={error} hintId={ids.hintId} errorId={ids.errorId} />
    </div>
  );
}

/** What a field of code turns off: spellcheck, autocorrect, capitals, the browser's suggestions. */
export const codeAttributes = { spellcheck: false, autocapitalize: 'off', autocorrect: 'off', autoComplete: 'off' } as const;

interface TextAreaProps {
  rows?: number;
  /** The most characters it takes (the server's own bound). */
  maxLength?: number;
  /** Monospace, no spellcheck or autocorrect: for code, input and output. */
  code?: boolean;
}

/** Text of several lines: prose, or code. */
export function TextAreaField({
  label, value, onValue, hint, error, optional, testId, rows = 4, maxLength, code = false,
}: Common & TextAreaProps) {
  const ids = useFieldIds(hint, error);
  return (
    <div class="field">
      <Label id={ids.id} label={label} optional={optional} />
      <textarea
        id={ids.id}
        class={code ? 'code-input author-code' : 'input author-text'}
        rows={rows}
        maxLength={maxLength}
        value={value}
        required={optional !== true}
        aria-invalid={error === undefined ? undefined : 'true'}
        aria-describedby={ids.describedBy}
        data-testid={testId}
        onInput={(event) => { onValue(event.currentTarget.value); }}
        {...(code ? codeAttributes : {})}
      />
      <Extras hint={hint} error={error} hintId={ids.hintId} errorId={ids.errorId} />
    </div>
  );
}

interface CheckboxProps {
  label: string;
  checked: boolean;
  onChecked: (checked: boolean) => void;
  hint?: string;
  testId?: string;
}

export function CheckboxField({ label, checked, onChecked, hint, testId }: CheckboxProps) {
  const ids = useFieldIds(hint, undefined);
  return (
    <div class="field field--check">
      <input
        type="checkbox"
        id={ids.id}
        checked={checked}
        aria-describedby={ids.describedBy}
        data-testid={testId}
        onChange={(event) => { onChecked(event.currentTarget.checked); }}
      />
      <label for={ids.id}>{label}</label>
      {hint !== undefined && <p class="hint" id={ids.hintId}>{hint}</p>}
    </div>
  );
}

interface RadioProps<V extends string> {
  legend: string;
  name: string;
  value: V;
  options: { value: V; label: string; testId?: string }[];
  onValue: (value: V) => void;
}

/** One choice among a few, as radio buttons in a fieldset whose legend names the choice. */
export function RadioField<V extends string>({ legend, name, value, options, onValue }: RadioProps<V>) {
  const id = useId();
  return (
    <fieldset class="field radio-group">
      <legend class="field-label">{legend}</legend>
      {options.map((option) => (
        <div class="field--check" key={option.value}>
          <input
            type="radio"
            id={`${id}-${option.value}`}
            name={name}
            value={option.value}
            checked={option.value === value}
            data-testid={option.testId}
            onChange={() => { onValue(option.value); }}
          />
          <label for={`${id}-${option.value}`}>{option.label}</label>
        </div>
      ))}
    </fieldset>
  );
}

/** Per-field "fill in this field" errors for the blank ones among `values`. */
export function blankFields<K extends string>(values: Record<K, string>): Partial<Record<K, string>> {
  const errors: Partial<Record<K, string>> = {};
  for (const key of Object.keys(values) as K[]) {
    if (values[key].trim() === '') errors[key] = t.common.required;
  }
  return errors;
}

/** Moves focus to the first field of `form` marked invalid, after the render that marks it. */
export function focusFirstInvalid(form: HTMLFormElement | null): void {
  requestAnimationFrame(() => {
    form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  });
}
