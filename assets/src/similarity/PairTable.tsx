/** The ranked pairs as a table; each row's button opens the side-by-side view. */
import { messages as m, percent } from './messages';
import type { Pair } from './types';

interface Props {
  pairs: readonly Pair[];
  selected: Pair | null;
  onSelect: (pair: Pair) => void;
}

export function PairTable({ pairs, selected, onSelect }: Props) {
  if (pairs.length === 0) return <p>{m.noPairs}</p>;
  return (
    <div class="similarity-table-wrap">
      <table class="similarity-pairs" data-testid="pair-table">
        <caption>{m.pairsCaption}</caption>
        <thead>
          <tr>
            <th scope="col">{m.columns.rank}</th>
            <th scope="col">{m.columns.a}</th>
            <th scope="col">{m.columns.b}</th>
            <th scope="col">{m.columns.score}</th>
            <th scope="col">{m.columns.method}</th>
            <th scope="col">{m.columns.shared}</th>
            <th scope="col">{m.columns.longest}</th>
            <th scope="col">{m.columns.action}</th>
          </tr>
        </thead>
        <tbody>
          {pairs.map((pair, index) => {
            const isSelected = pair === selected;
            return (
              <tr key={`${pair.a}\u0000${pair.b}`} data-testid="pair-row" class={isSelected ? 'selected' : undefined}>
                <td>{index + 1}</td>
                <th scope="row" class="path">{pair.a}</th>
                <td class="path">{pair.b}</td>
                <td class="number">{percent(pair.score)}</td>
                <td>{m.method[pair.method]}</td>
                <td class="number">{pair.shared_tokens ?? '–'}</td>
                <td class="number">{pair.longest_match ?? '–'}</td>
                <td>
                  <button
                    type="button"
                    aria-pressed={isSelected}
                    aria-label={m.compare(pair.a, pair.b)}
                    data-testid="compare"
                    onClick={() => {
                      onSelect(pair);
                    }}
                  >
                    {m.show}
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
