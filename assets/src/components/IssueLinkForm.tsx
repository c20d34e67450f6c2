/**
 * A form that creates an account (a user, an organization's administrator)
 * and is answered with its one-time link. `useLinkIssuer` checks the required
 * fields and keeps the link issued last; `IssueLinkForm` is the form around
 * the caller's fields. The caller shows `issued` in a OneTimeLink of its own,
 * beside the form rather than in it, so the link stays even when the form
 * gives way to a notice.
 */
import { useRef, useState } from 'preact/hooks';
import type { ComponentChildren, RefObject } from 'preact';
import type { IssuedLink } from '../api/types';
import { ErrorNotice } from './ErrorNotice';
import { blankFields, focusFirstInvalid } from './Field';
import { useAction, type Action } from '../hooks/useAction';

/** A link just issued, and the label that names whose it is. */
export interface LabelledLink {
  link: IssuedLink;
  label: string;
}

export interface LinkIssuer<Field extends string> {
  /** "Fill in this field" for each required field left blank at the last submit. */
  errors: Partial<Record<Field, string>>;
  issued: LabelledLink | null;
  action: Action;
  form: RefObject<HTMLFormElement | null>;
  /**
   * Marks the blank ones among `required` and moves focus to the first;
   * if there are none, runs `issue` (which also clears the fields) and shows its link.
   */
  submit: (required: Record<Field, string>, issue: () => Promise<LabelledLink>) => Promise<void>;
}

export function useLinkIssuer<Field extends string>(): LinkIssuer<Field> {
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [issued, setIssued] = useState<LabelledLink | null>(null);
  const action = useAction();
  const form = useRef<HTMLFormElement>(null);

  const submit = async (required: Record<Field, string>, issue: () => Promise<LabelledLink>): Promise<void> => {
    const found = blankFields(required);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstInvalid(form.current);
      return;
    }
    await action.run(async () => {
      setIssued(null);
      setIssued(await issue());
    });
  };

  return { errors, issued, action, form, submit };
}

interface FormProps<Field extends string> {
  issuer: LinkIssuer<Field>;
  /** Called on submit, with the browser's own submission already stopped. */
  onSubmit: () => Promise<void>;
  submitLabel: string;
  testIds: { form: string; error: string; submit: string };
  children: ComponentChildren;
}

/** The caller's fields, then the last error and the submit button, which waits while the link is issued. */
export function IssueLinkForm<Field extends string>({ issuer, onSubmit, submitLabel, testIds, children }: FormProps<Field>) {
  return (
    <form
      ref={issuer.form}
      class="form--narrow"
      noValidate
      onSubmit={(event) => { event.preventDefault(); void onSubmit(); }}
      data-testid={testIds.form}
    >
      {children}
      <ErrorNotice error={issuer.action.error} testId={testIds.error} />
      <div class="actions">
        <button type="submit" class="button" disabled={issuer.action.busy} data-testid={testIds.submit}>
          {submitLabel}
        </button>
      </div>
    </form>
  );
}
