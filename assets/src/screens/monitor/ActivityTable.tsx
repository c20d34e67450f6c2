/**
 * The sparklines' text equivalent: characters each student typed in each
 * of the last minutes, as a table a screen reader walks cell by cell.
 */
import { t } from '../../i18n';
import type { MonitorRow } from '../../api/monitor';

const text = t.monitor.activityTable;

/** Minutes shown: the sparkline's most recent ones. */
const MINUTES = 10;

export function ActivityTable({ rows }: { rows: MonitorRow[] }) {
  const ago = Array.from({ length: MINUTES }, (_, i) => MINUTES - 1 - i);
  return (
    <div class="table-wrap">
      <table class="table table--compact" data-testid="activity-table">
        <caption>{text.caption(MINUTES)}</caption>
        <thead>
          <tr>
            <th scope="col">{t.monitor.columns.student}</th>
            {ago.map((minutes) => <th key={minutes} scope="col">{text.minute(minutes)}</th>)}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const last = row.activity.slice(-MINUTES);
            const padded = [...Array.from({ length: MINUTES - last.length }, () => 0), ...last];
            return (
              <tr key={row.user_id}>
                <th scope="row">{row.display_name}</th>
                {padded.map((value, index) => <td key={index}>{value}</td>)}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
