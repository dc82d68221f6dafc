import type { NotebookPanel } from '@jupyterlab/notebook';

/** The class the package gives the Stop button of a `%%aiml` cell's panel. */
export const STOP_CLASS = 'aiml-stop';

/**
 * Make the panel's Stop button interrupt the kernel.
 *
 * While a cell streams its answer, the kernel handles no widget messages, so the button's
 * own click (a comm message) would only arrive after the answer. The click is caught here,
 * in the page, and sent as a kernel interrupt: the cell ends its answer as interrupted.
 */
export function watchStopButtons(panel: NotebookPanel): void {
  const onClick = (event: Event) => {
    const target = event.target as Element | null;
    const button = target?.closest?.(`.${STOP_CLASS}`);
    if (!button || !panel.content.node.contains(button)) {
      return;
    }
    const kernel = panel.sessionContext.session?.kernel;
    if (kernel) {
      void kernel.interrupt();
    }
  };
  panel.content.node.addEventListener('click', onClick, true);
  panel.disposed.connect(() => panel.content.node.removeEventListener('click', onClick, true));
}
