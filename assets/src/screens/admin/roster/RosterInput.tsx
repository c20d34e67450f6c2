/** The roster's CSV: a file picker that fills the text box, or text pasted straight in. */
import { t } from '../../../i18n';
import { CsvInput } from '../../../components/CsvInput';

const text = t.admin.roster;

interface Props {
  csv: string;
  onCsv: (csv: string) => void;
  error: string | undefined;
}

export function RosterInput({ csv, onCsv, error }: Props) {
  return (
    <CsvInput
      csv={csv}
      onCsv={onCsv}
      fileLabel={text.file}
      textLabel={text.paste}
      textHint={text.pasteHint}
      error={error}
      testId="roster"
    />
  );
}
