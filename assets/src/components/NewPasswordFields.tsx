/**
 * A new password typed twice. The server judges the password itself (length,
 * common passwords); this only makes sure the two entries match.
 */
import { t } from '../i18n';
import { TextField } from './Field';

interface Props {
  password: string;
  again: string;
  onPassword: (value: string) => void;
  onAgain: (value: string) => void;
  errors: { password?: string | undefined; again?: string | undefined };
}

export function NewPasswordFields({ password, again, onPassword, onAgain, errors }: Props) {
  return (
    <>
      <TextField
        label={t.passwords.newLabel}
        type="password"
        autoComplete="new-password"
        value={password}
        onValue={onPassword}
        hint={t.passwords.hint}
        error={errors.password}
        testId="new-password"
      />
      <TextField
        label={t.passwords.againLabel}
        type="password"
        autoComplete="new-password"
        value={again}
        onValue={onAgain}
        error={errors.again}
        testId="new-password-again"
      />
    </>
  );
}

/** Errors for a new password typed twice: blank fields, then a mismatch. */
export function newPasswordErrors(password: string, again: string): { password?: string; again?: string } {
  if (password === '') return again === '' ? { password: t.common.required, again: t.common.required } : { password: t.common.required };
  if (again === '') return { again: t.common.required };
  return password === again ? {} : { again: t.passwords.differ };
}
