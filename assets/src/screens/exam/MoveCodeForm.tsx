/**
 * The form a student uses on a new computer when their exam is open on
 * another one: they type the one-time move code a proctor gives them, and
 * this browser takes the attempt over.
 */
import { useState } from 'preact/hooks';
import { t } from '../../i18n';

export function MoveCodeForm({ busy, onSubmit }: { busy: boolean; onSubmit: (code: string) => void }) {
  const [code, setCode] = useState('');
  const text = t.exam.moveCode;
  return (
    <form
      class="stack"
      data-testid="move-code-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (code.trim() !== '') onSubmit(code.trim());
      }}
    >
      <p class="notice notice--info" data-testid="exam-no-secret">{text.intro}</p>
      <label for="move-code">{text.label}</label>
      <input
        id="move-code"
        name="move-code"
        value={code}
        maxLength={32}
        autocomplete="off"
        autocapitalize="characters"
        spellcheck={false}
        required
        aria-describedby="move-code-hint"
        onInput={(event) => { setCode(event.currentTarget.value); }}
        data-testid="move-code"
      />
      <p id="move-code-hint" class="hint">{text.hint}</p>
      <button type="submit" class="button" disabled={busy} data-testid="move-code-submit">
        {busy ? text.moving : text.submit}
      </button>
    </form>
  );
}
