/**
 * Two files side by side with the matched fragments marked: each fragment
 * is a <mark>, underlined and labelled with its number where it starts (so
 * colour is never the only sign), and listed with its line ranges; a
 * button per fragment brings it into view in both files.
 */
import type { ComponentChildren } from 'preact';
import { useRef } from 'preact/hooks';
import { lineSpan, markLines } from './fragments';
import { messages as m, percent } from './messages';
import type { NameOf, Pair, Region } from './types';

interface Props {
  pair: Pair;
  sources: Record<string, string>;
  name: NameOf;
  /** What the page shows after the two files (the exam's screen: decisions on the pair). */
  children?: ComponentChildren;
}

/** Colours cycle; the number and underline tell fragments apart without them. */
const COLOURS = 6;

function lines(region: Region): string {
  const [from, to] = lineSpan(region);
  return m.lines(from, to);
}

function Code({ label, text, regions, side }: { label: string; text: string | undefined; regions: Region[]; side: 'a' | 'b' }) {
  return (
    <figure class="similarity-file" data-testid={`side-${side}`}>
      <figcaption class="path">{label}</figcaption>
      {text === undefined ? (
        <p>{m.sourceMissing}</p>
      ) : (
        <pre class="similarity-code" tabIndex={0}>
          {markLines(text, regions).map((pieces, index) => (
            <div class="line" key={index}>
              <span class="line-number">{index + 1}</span>
              <code>
                {pieces.map((piece, at) =>
                  piece.match === null ? (
                    piece.text
                  ) : (
                    <mark
                      key={at}
                      class={`match colour-${(piece.match - 1) % COLOURS}`}
                      data-match={piece.match}
                      data-side={side}
                      tabIndex={piece.starts ? -1 : undefined}
                    >
                      {piece.starts && (
                        <>
                          <span class="visually-hidden">{`[${m.matchStart(piece.match)}] `}</span>
                          <span class="match-label" aria-hidden="true">
                            {piece.match}
                          </span>
                        </>
                      )}
                      {piece.text}
                      {piece.ends && <span class="visually-hidden">{` [${m.matchEnd(piece.match)}]`}</span>}
                    </mark>
                  ),
                )}
              </code>
            </div>
          ))}
        </pre>
      )}
    </figure>
  );
}

export function SideBySide({ pair, sources, name, children }: Props) {
  const root = useRef<HTMLElement>(null);
  const jump = (n: number) => {
    const first = (side: string) => root.current?.querySelector<HTMLElement>(`mark[data-match="${n}"][data-side="${side}"]`);
    first('b')?.scrollIntoView({ block: 'center' });
    const a = first('a');
    a?.scrollIntoView({ block: 'center' });
    a?.focus();
  };
  return (
    <section class="similarity-pair" aria-labelledby="pair-heading" ref={root} data-testid="side-by-side">
      <h2 id="pair-heading" tabIndex={-1}>{m.pairHeading(name(pair.a), name(pair.b))}</h2>
      <p>{m.pairScore(percent(pair.score), m.method[pair.method])}</p>
      <h3>{m.matchesHeading}</h3>
      {pair.matches.length === 0 ? (
        <p>{m.noMatches}</p>
      ) : (
        <ol class="similarity-matches" data-testid="match-list">
          {pair.matches.map((match, index) => (
            <li key={index}>
              <span class={`swatch colour-${index % COLOURS}`} aria-hidden="true">
                {index + 1}
              </span>{' '}
              {m.match(index + 1, name(pair.a), lines(match.a), name(pair.b), lines(match.b), match.tokens)}{' '}
              <button
                type="button"
                class="link"
                aria-label={m.jumpTo(index + 1)}
                onClick={() => {
                  jump(index + 1);
                }}
              >
                {m.show}
              </button>
            </li>
          ))}
        </ol>
      )}
      <div class="similarity-sides">
        <Code label={name(pair.a)} text={sources[pair.a]} regions={pair.matches.map((match) => match.a)} side="a" />
        <Code label={name(pair.b)} text={sources[pair.b]} regions={pair.matches.map((match) => match.b)} side="b" />
      </div>
      {children}
    </section>
  );
}
