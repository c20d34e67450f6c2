/**
 * Roster import: choose a CSV file (or paste it), check it, then import. The
 * check shows what each row would do and every row's problems; Import stays
 * disabled until the checked text is unchanged and has no problem rows.
 * Importing is idempotent, so a second run reports every row unchanged.
 */
import { useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { t } from '../../../i18n';
import { importRoster, previewRoster } from '../../../api/org';
import type { RosterReport } from '../../../api/types';
import { ErrorNotice } from '../../../components/ErrorNotice';
import { useAction } from '../../../hooks/useAction';
import { RosterInput } from './RosterInput';
import { RosterResult } from './RosterResult';

const text = t.admin.roster;

interface Result {
  kind: 'preview' | 'import';
  text: string;
  report: RosterReport;
}

export function RosterSection() {
  const [csv, setCsv] = useState('');
  const [result, setResult] = useState<Result | null>(null);
  const [empty, setEmpty] = useState(false);
  const action = useAction();

  const checked = result?.kind === 'preview' && result.text === csv ? result.report : null;
  const canImport = checked !== null && checked.errors === 0 && !action.busy;

  const preview = async (event: TargetedSubmitEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    setEmpty(csv.trim() === '');
    if (csv.trim() === '') return;
    const content = csv;
    await action.run(async () => {
      setResult({ kind: 'preview', text: content, report: await previewRoster(content) });
    });
  };

  const runImport = async (): Promise<void> => {
    if (!canImport) return;
    const content = csv;
    await action.run(async () => {
      setResult({ kind: 'import', text: content, report: await importRoster(content) });
    });
  };

  return (
    <>
      <section class="panel" aria-labelledby="roster-heading">
        <h3 id="roster-heading">{text.sourceHeading}</h3>
        <p>{text.intro}</p>
        <form noValidate onSubmit={(event) => { void preview(event); }} data-testid="roster-form">
          <RosterInput csv={csv} onCsv={setCsv} error={empty ? text.empty : undefined} />
          <ErrorNotice error={action.error} testId="roster-error" />
          {result?.kind === 'preview' && result.text !== csv && <p class="notice notice--info">{text.stale}</p>}
          <div class="actions">
            <button type="submit" class="button button--secondary" disabled={action.busy} data-testid="roster-preview">
              {text.preview}
            </button>
            <button
              type="button"
              class="button"
              disabled={!canImport}
              data-testid="roster-import"
              onClick={() => { void runImport(); }}
            >
              {text.import}
            </button>
          </div>
        </form>
      </section>
      {result !== null && <RosterResult kind={result.kind} report={result.report} />}
    </>
  );
}
