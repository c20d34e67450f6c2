/** Creating an organization: its short name (the slug people type when signing in) and full name. */
import { useRef, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { t } from '../../i18n';
import { createOrg } from '../../api/platform';
import { blankFields, focusFirstInvalid, TextField } from '../../components/Field';
import { DoneNotice, ErrorNotice } from '../../components/ErrorNotice';
import { useAction } from '../../hooks/useAction';

const text = t.platform.create;
type Errors = Partial<Record<'slug' | 'name', string>>;

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
    const found: Errors = blankFields({ slug, name });
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstInvalid(form.current);
      return;
    }
    await action.run(async () => {
      const org = await createOrg(slug.trim().toLowerCase(), name.trim());
      setSlug('');
      setName('');
      setDone(text.done(org.name));
      onCreated();
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
