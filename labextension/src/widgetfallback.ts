import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import type { Panel } from '@lumino/widgets';

import { isAimlSource } from './highlight';

/** The output type ipywidgets puts a widget view under. */
export const WIDGET_MIME = 'application/vnd.jupyter.widget-view+json';

/** What the package's own widget outputs say in `text/plain` (`[aiml panel: ...]`). */
const AIML_PLAIN = /^\[aiml[\s\]:]/;

/** The class of the static stand-in, for styling and for tests. */
export const FALLBACK_CLASS = 'aiml-WidgetFallback';

const PATCHED = Symbol('aiml-magics:widget-fallback');

/**
 * The part of ipywidgets' `WidgetRenderer` this module relies on: a lumino Panel whose
 * `renderModel` leaves it without child widgets and with the `jupyter-widgets` class
 * when it could not show the widget (its model is gone, e.g. in a reopened notebook).
 */
type WidgetRenderer = Panel & IRenderMime.IRenderer;

/**
 * Where a widget output of this package cannot be shown because its model is gone (a
 * notebook reopened with a new kernel: widget state is not saved), show the output's
 * static fallback instead of "Error displaying widget: model not found".
 *
 * ipywidgets' manager replaces its renderer factory in every notebook's rendermime when
 * it attaches, so wrapping the factory would be undone; instead the renderer class is
 * found once through the factory and its `renderModel` gets a follow-up step that only
 * acts on the error state, and only for outputs of the package.
 */
export class WidgetFallback {
  constructor(private _tracker: INotebookTracker) {}

  /** Patch the widget renderer class reachable from `panel`'s rendermime, once. */
  patchFrom(panel: NotebookPanel): boolean {
    const rendermime = panel.content.rendermime;
    const factory = rendermime.getFactory(WIDGET_MIME);
    if (!factory) {
      return false; // no ipywidgets in this JupyterLab
    }
    const probe = factory.createRenderer({
      mimeType: WIDGET_MIME,
      sanitizer: rendermime.sanitizer,
      resolver: null,
      linkHandler: null,
      latexTypesetter: null
    }) as WidgetRenderer;
    const proto = Object.getPrototypeOf(probe) as { [PATCHED]?: boolean } & WidgetRenderer;
    probe.dispose();
    if (proto[PATCHED] || typeof proto.renderModel !== 'function') {
      return true;
    }
    proto[PATCHED] = true;
    const original = proto.renderModel;
    const fallback = this;
    proto.renderModel = async function (
      this: WidgetRenderer,
      model: IRenderMime.IMimeModel
    ): Promise<void> {
      await original.call(this, model);
      if (!this.isDisposed && this.widgets.length === 0 && this.hasClass('jupyter-widgets')) {
        await fallback.replaceError(this, model);
      }
    };
    return true;
  }

  /** Replace the renderer's error text by the output's text, when the output is ours. */
  async replaceError(renderer: WidgetRenderer, model: IRenderMime.IMimeModel): Promise<void> {
    const plain = textOf(model.data['text/plain']);
    const markdown = textOf(model.data['text/markdown']);
    const ours = AIML_PLAIN.test(plain) || this._inAimlCell(renderer);
    if (!ours) {
      return;
    }
    const node = renderer.node;
    node.textContent = '';
    renderer.removeClass('jupyter-widgets');
    renderer.addClass(FALLBACK_CLASS);
    node.title = 'The live widget is gone (it lives only while its kernel runs).';
    if (markdown) {
      const panel = this._panelOf(renderer);
      if (panel) {
        const md = panel.content.rendermime.createRenderer('text/markdown');
        // Untrusted: the Markdown is sanitized like any output of an untrusted notebook.
        await md.renderModel({
          data: { 'text/markdown': markdown },
          metadata: {},
          trusted: false,
          setData: () => undefined
        });
        if (!renderer.isDisposed) {
          renderer.addWidget(md);
        }
        return;
      }
    }
    const line = document.createElement('div');
    line.className = `${FALLBACK_CLASS}-text`;
    line.textContent = markdown || (AIML_PLAIN.test(plain) ? plain : '');
    node.appendChild(line);
  }

  private _panelOf(renderer: WidgetRenderer): NotebookPanel | null {
    return this._tracker.find(panel => panel.node.contains(renderer.node)) ?? null;
  }

  /** Whether the renderer sits in the output of a cell that uses the package. */
  private _inAimlCell(renderer: WidgetRenderer): boolean {
    const panel = this._panelOf(renderer);
    const cell = panel?.content.widgets.find(c => c.node.contains(renderer.node));
    if (!cell) {
      return false;
    }
    const source = cell.model.sharedModel.getSource();
    return isAimlSource(source) || /(^|\n)\s*%aiml\b|aiml_magics/.test(source);
  }
}

function textOf(value: unknown): string {
  return Array.isArray(value) ? value.join('') : typeof value === 'string' ? value : '';
}
