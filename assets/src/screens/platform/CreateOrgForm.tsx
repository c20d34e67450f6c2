/**
 * Creating an organization: its short name (the slug people type when
 * signing in) and full name. Every field is checked at once, each error on
 * its field in the form's words; a short name another organization has is
 * said on its field too.
 */
import { useRef, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { t } from '../../i18n';
import { ApiError } from '../../api/client';
import { createOrg } from '../../api/platform';
import { blankFields, focusFirstInvalid, TextField } from '../../components/Field';
import { DoneNotice, ErrorNotice } from '../../components/ErrorNotice';
import { useAction } from '../../hooks/useAction';

const text = t.platform.create;
type Errors = Partial<Record<'slug' | 'name', string>>;

/** What is wrong with a short name, in the form's words (the server's rules), or `undefined`. */
export function slugProblem(slug: string): string | undefined {
  if (slug.length < 2 || slug.length > 40) return text.slugLength;
  if (!/^[a-z]/.test(slug)) return text.slugStart;
  if (!/^[a-z0-9-]+$/.test(slug)) return text.slugCharacters;
  if (slug.endsWith('-') || slug.includes('--')) return text.slugHyphens;
  return undefined;
}

function check(slug: string, name: string): Errors {
  const errors: Errors = blankFields({ slug, name });
  const typed = slug.trim().toLowerCase();
  if (errors.slug === undefined) {
    const problem = slugProblem(typed);
    if (problem !== undefined) errors.slug = problem;
  }
  if (errors.name === undefined && Array.from(name.trim()).length > 200) errors.name = text.nameLength;
  return errors;
}

export function CreateOrgForm({ onCreated }: { onCreated: () => void }) {
  const [slug, setSlug] = useState('');
  const [name, setName] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const form = useRef<HTMLFormElement>(null);

  const submit = async (event: TargetedSubmitEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    setDone(null);
    const found = check(slug, name);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstInvalid(form.current);
      return;
    }
    await action.run(async () => {
      try {
        const org = await createOrg(slug.trim().toLowerCase(), name.trim());
        setSlug('');
        setName('');
        setDone(text.done(org.name));
        onCreated();
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 409)) throw error;
        setErrors({ slug: text.slugTaken });
        focusFirstInvalid(form.current);
      }
    });
  };

  return (
    <section class="panel" aria-labelledby="create-org-heading">
      <h2 id="create-org-heading">{text.heading}</h2>
      <form ref={form} class="form--narrow" noValidate onSubmit={(event) => { void submit(event); }} data-testid="create-org-form">
        <TextField
          label={text.slug}
          hint={text.slugHint}
          value={slug}
          onValue={setSlug}
          error={errors.slug}
          autoCapitalize="none"
          spellcheck={false}
          testId="org-slug"
        />
        <TextField label={text.name} hint={text.nameHint} value={name} onValue={setName} error={errors.name} testId="org-name" />
        <ErrorNotice error={action.error} testId="create-org-error" />
        <DoneNotice text={done} testId="create-org-done" />
        <div class="actions">
          <button type="submit" class="button" disabled={action.busy} data-testid="create-org-submit">
            {text.submit}
          </button>
        </div>
      </form>
    </section>
  );
}
