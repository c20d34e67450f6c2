/**
 * The ranked pairs as a table; each row's button opens the side-by-side
 * view. Where the page records decisions on pairs (the exam's screen), a
 * column says each pair's latest one. What a reader needs first (the
 * files, the score, the decision, the button) comes first; the details of
 * the measure follow, where a narrow page may scroll to them.
 */
import { messages as m, percent } from './messages';
import type { NameOf, Pair } from './types';

interface Props {
  pairs: readonly Pair[];
  selected: Pair | null;
  onSelect: (pair: Pair) => void;
  name: NameOf;
  /** The pair's latest decision in words, for the page that records them. */
  decisionOf?: ((pair: Pair) => string) | undefined;
}

export function PairTable({ pairs, selected, onSelect, name, decisionOf }: Props) {
  if (pairs.length === 0) return <p data-testid="no-pairs">{m.noPairs}</p>;
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
            {decisionOf !== undefined && <th scope="col">{m.columns.decision}</th>}
            <th scope="col">{m.columns.action}</th>
            <th scope="col">{m.columns.method}</th>
            <th scope="col">{m.columns.shared}</th>
            <th scope="col">{m.columns.longest}</th>
          </tr>
        </thead>
        <tbody>
          {pairs.map((pair, index) => {
            const isSelected = selected !== null && pair.a === selected.a && pair.b === selected.b;
            return (
              <tr
                key={`${pair.a}\u0000${pair.b}`}
                data-testid="pair-row"
                data-a={pair.a}
                data-b={pair.b}
                class={isSelected ? 'selected' : undefined}
              >
                <td>{index + 1}</td>
                <th scope="row" class="path">{name(pair.a)}</th>
                <td class="path">{name(pair.b)}</td>
                <td class="number">{percent(pair.score)}</td>
                {decisionOf !== undefined && <td data-testid="pair-decision">{decisionOf(pair)}</td>}
                <td>
                  <button
                    type="button"
                    aria-pressed={isSelected}
                    aria-label={m.compare(name(pair.a), name(pair.b))}
                    data-testid="compare"
                    onClick={() => {
                      onSelect(pair);
                    }}
                  >
                    {m.show}
                  </button>
                </td>
                <td>{m.method[pair.method]}</td>
                <td class="number">{pair.shared_tokens ?? '–'}</td>
                <td class="number">{pair.longest_match ?? '–'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
