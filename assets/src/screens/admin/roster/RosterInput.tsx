/**
 * The roster's CSV: a file picker that fills the text box, or text pasted
 * straight in; and a template to start from (made in the browser).
 */
import { t } from '../../../i18n';
import { CsvInput } from '../../../components/CsvInput';
import { saveFile } from '../../../download';

const text = t.admin.roster;

/** The header the import reads, and one example row. */
const TEMPLATE = 'student_number,name,email,course,section\r\nS1001,Ada Lovelace,ada@example.edu,PHYS101,A\r\n';

function downloadTemplate(): void {
  saveFile('roster-template.csv', TEMPLATE, 'text/csv;charset=utf-8');
}

interface Props {
  csv: string;
  onCsv: (csv: string) => void;
  error: string | undefined;
}

export function RosterInput({ csv, onCsv, error }: Props) {
  return (
    <>
      <p>
        <button
          type="button"
          class="button button--small button--secondary"
          aria-describedby="roster-template-hint"
          data-testid="roster-template"
          onClick={downloadTemplate}
        >
          {text.template}
        </button>{' '}
        <span class="hint" id="roster-template-hint">{text.templateHint}</span>
      </p>
      <CsvInput
        csv={csv}
        onCsv={onCsv}
        fileLabel={text.file}
        textLabel={text.paste}
        textHint={text.pasteHint}
        error={error}
        testId="roster"
      />
    </>
  );
}
