/**
 * A small, safe Markdown subset as Preact nodes: paragraphs, headings, `*`/`-`
 * and numbered lists, fenced code blocks, inline code, *emphasis* and
 * **strong**. Everything is text: no HTML in the source is ever interpreted,
 * and no links are made, so an exam's text cannot inject markup or scripts.
 */
import type { ComponentChildren, JSX } from 'preact';

type Block =
  | { kind: 'p'; text: string }
  | { kind: 'h'; level: number; text: string }
  | { kind: 'ul' | 'ol'; items: string[] }
  | { kind: 'code'; text: string };

function blocks(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const out: Block[] = [];
  let paragraph: string[] = [];
  const endParagraph = (): void => {
    if (paragraph.length > 0) out.push({ kind: 'p', text: paragraph.join(' ') });
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    const fence = /^\s*(```|~~~)/.exec(line);
    if (fence !== null) {
      endParagraph();
      const code: string[] = [];
      i += 1;
      while (i < lines.length && !(lines[i] ?? '').trimStart().startsWith(fence[1] ?? '```')) {
        code.push(lines[i] ?? '');
        i += 1;
      }
      out.push({ kind: 'code', text: code.join('\n') });
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading !== null) {
      endParagraph();
      out.push({ kind: 'h', level: heading[1]?.length ?? 1, text: heading[2] ?? '' });
      continue;
    }
    const bullet = /^\s*[-*+]\s+(.*)$/.exec(line);
    const numbered = /^\s*\d+[.)]\s+(.*)$/.exec(line);
    const item = bullet ?? numbered;
    if (item !== null) {
      endParagraph();
      const kind = bullet !== null ? 'ul' : 'ol';
      const previous = out[out.length - 1];
      if (previous?.kind === kind) previous.items.push(item[1] ?? '');
      else out.push({ kind, items: [item[1] ?? ''] });
      continue;
    }
    if (line.trim() === '') {
      endParagraph();
      continue;
    }
    // A continuation line of a list item, indented.
    const previous = out[out.length - 1];
    if (paragraph.length === 0 && /^\s+\S/.test(line) && previous !== undefined && (previous.kind === 'ul' || previous.kind === 'ol')) {
      const last = previous.items.length - 1;
      previous.items[last] = `${previous.items[last] ?? ''} ${line.trim()}`;
      continue;
    }
    paragraph.push(line.trim());
  }
  endParagraph();
  return out;
}

/** Inline code, **strong** and *emphasis* (or _emphasis_); everything else is text. */
function inline(text: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  const pattern = /(`+)([\s\S]+?)\1|\*\*([^*]+)\*\*|__([^_]+)__|\*([^*\s][^*]*)\*|\b_([^_\s][^_]*)_\b/g;
  let at = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > at) out.push(text.slice(at, match.index));
    if (match[2] !== undefined) out.push(<code>{match[2]}</code>);
    else if (match[3] !== undefined || match[4] !== undefined) out.push(<strong>{inline(match[3] ?? match[4] ?? '')}</strong>);
    else out.push(<em>{inline(match[5] ?? match[6] ?? '')}</em>);
    at = match.index + match[0].length;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

/** `headingLevel` is the level a `#` heading gets, so the text fits under the page's own headings. */
export function Markdown({ source, headingLevel = 3 }: { source: string; headingLevel?: number }) {
  return (
    <div class="markdown">
      {blocks(source).map((block, index): JSX.Element => {
        switch (block.kind) {
          case 'p':
            return <p key={index}>{inline(block.text)}</p>;
          case 'h': {
            const Tag = `h${String(Math.min(6, headingLevel + block.level - 1))}` as 'h3';
            return <Tag key={index}>{inline(block.text)}</Tag>;
          }
          case 'ul':
            return <ul key={index}>{block.items.map((item, n) => <li key={n}>{inline(item)}</li>)}</ul>;
          case 'ol':
            return <ol key={index}>{block.items.map((item, n) => <li key={n}>{inline(item)}</li>)}</ol>;
          case 'code':
            return <pre key={index} class="markdown__code"><code>{block.text}</code></pre>;
        }
      })}
    </div>
  );
}
