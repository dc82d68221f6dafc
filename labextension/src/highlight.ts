import { Language, LanguageSupport } from '@codemirror/language';
import type { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import type { ICellModel } from '@jupyterlab/cells';
import type { Notebook, NotebookPanel } from '@jupyterlab/notebook';

/** The MIME type given to code cells that start with `%%aiml`. */
export const AIML_MIME = 'text/x-aiml-markdown';

/** `%%aiml` as IPython sees it: after blank lines and indentation, as a whole word. */
const AIML_MAGIC = /^\s*%%aiml(?=\s|$)/;

export function isAimlSource(source: string): boolean {
  return AIML_MAGIC.test(source);
}

/** The magic line as the Markdown parser sees it: the document's first line. */
const MAGIC_LINE = /^%%aiml(?=\s|$)/;

/**
 * A Markdown block that takes the `%%aiml ...` line at the start of the cell as one plain
 * node, so its options (`--schema list[Contact]`, `*` in a glob) are not read as Markdown
 * links or emphasis. The node has no highlight style: the line reads as plain text.
 */
const magicLineExtension = {
  defineNodes: [{ name: 'AimlMagicLine', block: true }],
  parseBlock: [
    {
      name: 'AimlMagicLine',
      before: 'LinkReference',
      parse(cx: any, line: any): boolean {
        if (cx.lineStart !== 0 || !MAGIC_LINE.test(line.text)) {
          return false;
        }
        cx.addElement(cx.elt('AimlMagicLine', 0, line.text.length));
        cx.nextLine();
        return true;
      }
    }
  ]
};

/**
 * The Markdown support JupyterLab configured (GFM, fenced code languages), with the
 * magic-line block added to its parser.
 */
function withMagicLine(markdown: LanguageSupport): LanguageSupport {
  const parser = (markdown.language.parser as any).configure(magicLineExtension);
  const language = new Language(markdown.language.data, parser, [], 'aiml-markdown');
  return new LanguageSupport(language, markdown.support);
}

/**
 * Register the language behind `AIML_MIME`: the core Markdown support, so the prompt
 * gets headings, emphasis and fenced code highlighted as JupyterLab's Markdown cells do,
 * while the magic line stays plain.
 */
export function registerAimlLanguage(languages: IEditorLanguageRegistry): void {
  languages.addLanguage({
    name: 'aiml-markdown',
    displayName: 'AIML prompt (Markdown)',
    mime: AIML_MIME,
    extensions: [],
    load: async () => {
      const markdown = await languages.getLanguage('markdown');
      if (!markdown?.support) {
        throw new Error('the Markdown editor language is not available');
      }
      return withMagicLine(markdown.support as LanguageSupport);
    }
  });
}

/**
 * Keep the MIME type of every code cell of a notebook in line with its first line.
 *
 * The notebook sets all code cells back to the kernel's MIME type when its language
 * changes (kernel start, restart, change) and when a cell is inserted, so each code cell
 * model is watched both for source edits and for MIME type changes.
 */
export class AimlCellHighlighter {
  private _watched = new WeakSet<ICellModel>();

  watch(panel: NotebookPanel): void {
    const notebook = panel.content;
    const attach = () => {
      const model = notebook.model;
      if (!model) {
        return;
      }
      model.cells.changed.connect(() => this._watchCells(notebook), this);
      this._watchCells(notebook);
    };
    notebook.modelChanged.connect(attach, this);
    attach();
  }

  private _watchCells(notebook: Notebook): void {
    const cells = notebook.model?.cells;
    if (!cells) {
      return;
    }
    for (let i = 0; i < cells.length; i++) {
      const cell = cells.get(i);
      if (this._watched.has(cell)) {
        continue;
      }
      this._watched.add(cell);
      const update = () => this._apply(notebook, cell);
      cell.sharedModel.changed.connect((_, change) => {
        if (change.sourceChange) {
          update();
        }
      }, this);
      cell.mimeTypeChanged.connect(update, this);
      update();
    }
  }

  private _apply(notebook: Notebook, cell: ICellModel): void {
    if (cell.isDisposed || cell.type !== 'code') {
      return;
    }
    const wanted = isAimlSource(cell.sharedModel.getSource())
      ? AIML_MIME
      : cell.mimeType === AIML_MIME
        ? notebook.codeMimetype
        : cell.mimeType;
    if (cell.mimeType !== wanted) {
      cell.mimeType = wanted;
    }
  }
}
