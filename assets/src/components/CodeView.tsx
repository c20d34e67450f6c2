/**
 * A student's code as staff read it: CodeMirror with Python highlighting and
 * line numbers, read-only (it can be focused, selected and read by a screen
 * reader, never changed). Like the exam's editor, it lives in a shadow root
 * so that CodeMirror's styles need no inline style element.
 */
import { useEffect, useRef } from 'preact/hooks';
import { EditorState } from '@codemirror/state';
import { EditorView, lineNumbers } from '@codemirror/view';
import { defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { python } from '@codemirror/lang-python';
import { editorTheme } from '../exam/CodeEditor';

interface Props {
  code: string;
  /** The accessible name of the code (e.g. the question's title). */
  label: string;
}

export function CodeView({ code, label }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  useEffect(() => {
    const element = host.current;
    if (element === null) return;
    const root = element.shadowRoot ?? element.attachShadow({ mode: 'open' });
    const editor = new EditorView({
      state: EditorState.create({
        doc: code,
        extensions: [
          lineNumbers(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          python(),
          editorTheme,
          EditorState.readOnly.of(true),
          EditorView.contentAttributes.of({ 'aria-label': label, 'aria-readonly': 'true', 'data-testid': 'code-view-content' }),
        ],
      }),
      parent: root,
      root,
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // Made once per label; the code below replaces its text as it changes (a replay scrubs through thousands).
  }, [label]);
  useEffect(() => {
    const editor = view.current;
    if (editor === null || editor.state.doc.toString() === code) return;
    editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: code } });
  }, [code]);
  return <div ref={host} class="code-editor" data-testid="code-view" />;
}
