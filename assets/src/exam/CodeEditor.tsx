/**
 * The exam's code editor: CodeMirror 6 with Python highlighting, line numbers,
 * bracket matching and undo history; no autocomplete, no hints, and no
 * spellcheck, autocorrect or autocapitalize. Ctrl+Enter (or ⌘+Enter) runs
 * the code, as on the readiness check's scratch area. One editor serves all
 * questions, each with its own state (and history).
 *
 * The editor lives in a shadow root: CodeMirror's style-mod then uses a
 * constructed style sheet (adoptedStyleSheets), which `style-src 'self'`
 * allows, where a <style> element would be refused by the content security
 * policy. Its look therefore comes from the theme below, not styles.css.
 */
import { useEffect, useRef } from 'preact/hooks';
import { EditorState, type Extension } from '@codemirror/state';
import { EditorView, drawSelection, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching, defaultHighlightStyle, indentOnInput, indentUnit, syntaxHighlighting } from '@codemirror/language';
import { python } from '@codemirror/lang-python';

export interface EditorEvents {
  /** The question's full code after a change, and the change set (`ChangeSet.toJSON()`). */
  onEdit: (questionId: string, code: string, changes: unknown) => void;
  /** Paste, copy and cut inside the editor. */
  onClipboard: (questionId: string, kind: 'paste' | 'copy' | 'cut', text: string) => void;
  /** A change was not made: the answer would pass `limit` characters. */
  onRefused: (limit: number) => void;
  /** Ctrl+Enter or ⌘+Enter: run the code. */
  onRun: () => void;
}

/**
 * The longest answer, in UTF-16 units as the editor counts: the server
 * refuses longer ones (MAX_ANSWER_UNITS in src/domain/autosave.rs), so the
 * editor never makes one, and every change it makes can be saved.
 */
export const MAX_ANSWER_UNITS = 100_000;

interface Props extends EditorEvents {
  questionId: string;
  /** The code each question starts with when first shown. */
  initial: (questionId: string) => string;
  /** The editor's accessible name for a question. */
  label: (questionId: string) => string;
}

/** The look of the exam's editor, shared with the read-only view of a student's code. */
export const editorTheme = EditorView.theme({
  '&': { fontSize: '1rem', border: '1px solid #8a94a3', borderRadius: '4px', backgroundColor: '#ffffff', color: '#111827' },
  '&.cm-focused': { outline: '3px solid #b45309', outlineOffset: '2px' },
  '.cm-scroller': {
    fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
    minHeight: '16rem',
    maxHeight: '60vh',
    lineHeight: '1.5',
  },
  '.cm-content': { caretColor: '#111827' },
  '.cm-gutters': { backgroundColor: '#f3f4f6', color: '#4b5563', borderRight: '1px solid #d1d5db' },
  '.cm-activeLine': { backgroundColor: '#eff6ff' },
  '.cm-activeLineGutter': { backgroundColor: '#dbeafe', color: '#111827' },
  '&.cm-focused .cm-matchingBracket': { backgroundColor: '#bbf7d0', outline: '1px solid #15803d' },
  '&.cm-focused .cm-nonmatchingBracket': { backgroundColor: '#fecaca' },
});

/**
 * Runs the code, before the default keymap (where Ctrl+Enter would insert a
 * blank line). Ctrl and ⌘ both work on every system, as on the scratch area.
 */
function runKeys(run: () => void): Extension {
  const pressed = (): boolean => {
    run();
    return true;
  };
  return keymap.of([{ key: 'Ctrl-Enter', run: pressed }, { key: 'Meta-Enter', run: pressed }]);
}

export function CodeEditor({ questionId, initial, label, onEdit, onClipboard, onRefused, onRun }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const states = useRef(new Map<string, EditorState>());
  const current = useRef(questionId);
  const events = useRef<EditorEvents>({ onEdit, onClipboard, onRefused, onRun });
  events.current = { onEdit, onClipboard, onRefused, onRun };

  const extensions = useRef<Extension[]>([
    lineNumbers(),
    highlightActiveLineGutter(),
    history(),
    drawSelection(),
    indentOnInput(),
    indentUnit.of('    '),
    bracketMatching(),
    highlightActiveLine(),
    syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
    python(),
    runKeys(() => { events.current.onRun(); }),
    keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
    editorTheme,
    EditorView.contentAttributes.of({
      spellcheck: 'false',
      autocorrect: 'off',
      autocapitalize: 'off',
      'data-testid': 'editor-content',
    }),
    EditorState.changeFilter.of((transaction) => {
      if (transaction.newDoc.length <= MAX_ANSWER_UNITS || transaction.newDoc.length <= transaction.startState.doc.length) return true;
      events.current.onRefused(MAX_ANSWER_UNITS);
      return false;
    }),
    EditorView.updateListener.of((update) => {
      if (!update.docChanged) return;
      events.current.onEdit(current.current, update.state.doc.toString(), update.changes.toJSON());
    }),
    EditorView.domEventHandlers({
      // Typing over a selection that spans lines lets the browser's own
      // editing merge the lines first, and Chromium then writes inline style
      // attributes, which the content security policy refuses (and reports).
      // The editor makes that change itself instead; the result is the same.
      beforeinput: (event, editor) => {
        if (event.inputType !== 'insertText' || event.data === null || editor.composing) return false;
        const { state } = editor;
        const spansLines = state.selection.ranges.some(
          (range) => state.doc.lineAt(range.from).number !== state.doc.lineAt(range.to).number,
        );
        if (!spansLines) return false;
        event.preventDefault();
        editor.dispatch(state.replaceSelection(event.data), { userEvent: 'input.type', scrollIntoView: true });
        return true;
      },
      paste: (event) => {
        events.current.onClipboard(current.current, 'paste', event.clipboardData?.getData('text/plain') ?? '');
        return false;
      },
      copy: (_event, editor) => {
        events.current.onClipboard(current.current, 'copy', selected(editor));
        return false;
      },
      cut: (_event, editor) => {
        events.current.onClipboard(current.current, 'cut', selected(editor));
        return false;
      },
    }),
  ]);

  const stateFor = (id: string): EditorState => {
    let state = states.current.get(id);
    if (state === undefined) {
      state = EditorState.create({
        doc: initial(id),
        extensions: [extensions.current, EditorView.contentAttributes.of({ 'aria-label': label(id) })],
      });
      states.current.set(id, state);
    }
    return state;
  };

  useEffect(() => {
    const element = host.current;
    if (element === null) return;
    const root = element.shadowRoot ?? element.attachShadow({ mode: 'open' });
    const editor = new EditorView({ state: stateFor(current.current), parent: root, root });
    view.current = editor;
    return () => {
      states.current.set(current.current, editor.state);
      editor.destroy();
      view.current = null;
    };
    // The editor is made once; questions switch through the effect below.
  }, []);

  useEffect(() => {
    const editor = view.current;
    if (editor === null || current.current === questionId) return;
    states.current.set(current.current, editor.state);
    current.current = questionId;
    editor.setState(stateFor(questionId));
  }, [questionId]);

  return <div ref={host} class="code-editor" data-testid="editor" />;
}

function selected(editor: EditorView): string {
  return editor.state.selection.ranges.map((range) => editor.state.sliceDoc(range.from, range.to)).join('\n');
}
