/**
 * Choosing one person from an organization's list, which may hold
 * thousands: a search field narrows the list below it (by name, e-mail
 * address or student number, ignoring case and accents), and every option
 * shows the e-mail address, so two people of the same name are told apart.
 * How many match is said in words for screen readers. The person chosen
 * stays in the list while the search does not match them, so a search
 * never silently changes the choice.
 */
import { useMemo, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { t } from '../i18n';
import type { OrgUser } from '../api/types';
import { SelectField, TextField } from './Field';

interface Props {
  label: string;
  people: OrgUser[];
  value: string;
  onValue: (id: string) => void;
  /** The first option, for no one (e.g. "Choose a person", "Anyone"). */
  none: string;
  error?: string | undefined;
  optional?: boolean;
  testId: string;
}

/** Lower case without accents: "Zoë" is found by "zoe". */
const folded = (text: string): string => text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();

export function PersonPicker({ label, people, value, onValue, none, error, optional, testId }: Props): ComponentChildren {
  const [search, setSearch] = useState('');
  const text = t.common.personPicker;
  const matched = useMemo(() => {
    const words = folded(search).split(/\s+/).filter(Boolean);
    return people.filter((user) => {
      const haystack = folded(`${user.display_name} ${user.email} ${user.student_number ?? ''}`);
      return words.every((word) => haystack.includes(word));
    });
  }, [people, search]);
  // The chosen person stays listed (in their place) while the search leaves them out.
  const shown = useMemo(() => {
    const found = new Set(matched);
    return people.filter((user) => user.id === value || found.has(user));
  }, [people, matched, value]);
  const matching = matched.length;
  return (
    <div class="person-picker" data-testid={testId}>
      <TextField
        label={text.search(label)}
        value={search}
        onValue={setSearch}
        optional
        spellcheck={false}
        autoCapitalize="none"
        hint={text.hint}
        testId={`${testId}-search`}
      />
      <p class="hint" aria-live="polite" data-testid={`${testId}-count`}>
        {search === '' ? text.all(people.length) : text.matching(matching, people.length)}
      </p>
      <SelectField label={label} value={value} onValue={onValue} error={error} optional={optional === true} testId={`${testId}-select`}>
        <option value="">{none}</option>
        {shown.map((user) => (
          <option key={user.id} value={user.id}>{t.common.withDetail(user.display_name, user.email)}</option>
        ))}
      </SelectField>
    </div>
  );
}
