/** All organizations, with rename and deactivate/reactivate on each row. */
import { t } from '../../i18n';
import type { Org } from '../../api/types';
import { useConfirm } from '../../components/ConfirmDialog';
import { OrgRow } from './OrgRow';

const text = t.platform.table;

export function OrgTable({ orgs, onChanged }: { orgs: Org[]; onChanged: () => void }) {
  const [dialog, confirm] = useConfirm();
  return (
    <section class="panel" aria-labelledby="orgs-heading">
      <h2 id="orgs-heading">{text.caption}</h2>
      {orgs.length === 0 ? (
        <p class="empty" data-testid="orgs-empty">{text.empty}</p>
      ) : (
        <div class="table-wrap">
          <table class="table" data-testid="orgs">
            <thead>
              <tr>
                <th scope="col">{text.slug}</th>
                <th scope="col">{text.name}</th>
                <th scope="col">{text.status}</th>
                <th scope="col">{text.created}</th>
                <th scope="col">{text.actions}</th>
              </tr>
            </thead>
            <tbody>
              {orgs.map((org) => (
                <OrgRow key={org.id} org={org} confirm={confirm} onChanged={onChanged} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {dialog}
    </section>
  );
}
