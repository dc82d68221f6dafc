import { Clipboard } from '@jupyterlab/apputils';
import type { CodeCell } from '@jupyterlab/cells';
import type { NotebookPanel } from '@jupyterlab/notebook';

import { isAimlSource } from './highlight';

/** The class of the buttons, and of the code blocks that have one. */
export const COPY_CLASS = 'aiml-CopyButton';
export const HAS_COPY_CLASS = 'aiml-hasCopyButton';

/** Rendered Markdown and HTML in outputs; code blocks of answers are `pre` in there. */
const CODE_BLOCKS = '.jp-RenderedHTMLCommon pre';
/** How long a burst of output changes (a streamed answer) is collected before a scan. */
const SCAN_DELAY_MS = 150;
/** How long the button says "copied". */
const COPIED_MS = 1500;

/**
 * Put a copy button on every code block in the rendered outputs of `%%aiml` cells.
 *
 * Outputs re-render as an answer streams (each display update replaces the rendered
 * Markdown), so each notebook is watched for DOM changes inside output areas and scanned
 * shortly after they settle. The button is made here with DOM APIs, holds no text from
 * the answer, and copies the code block's text, never its markup.
 */
export class CodeCopyButtons {
  watch(panel: NotebookPanel): void {
    let timer = 0;
    const schedule = () => {
      if (!timer) {
        timer = window.setTimeout(() => {
          timer = 0;
          if (!panel.isDisposed) {
            this.scan(panel);
          }
        }, SCAN_DELAY_MS);
      }
    };
    const observer = new MutationObserver(records => {
      if (records.some(inOutput)) {
        schedule();
      }
    });
    observer.observe(panel.content.node, { childList: true, subtree: true });
    panel.disposed.connect(() => {
      observer.disconnect();
      window.clearTimeout(timer);
    });
    schedule();
  }

  /** Add the missing buttons to the code blocks of `%%aiml` cells of `panel`. */
  scan(panel: NotebookPanel): void {
    for (const cell of panel.content.widgets) {
      if (cell.model.type !== 'code' || !isAimlSource(cell.model.sharedModel.getSource())) {
        continue;
      }
      const outputs = (cell as CodeCell).outputArea?.node;
      if (!outputs) {
        continue;
      }
      for (const pre of Array.from(outputs.querySelectorAll<HTMLElement>(CODE_BLOCKS))) {
        if (!pre.classList.contains(HAS_COPY_CLASS)) {
          addButton(pre);
        }
      }
    }
  }
}

function inOutput(record: MutationRecord): boolean {
  const target = record.target as Element;
  return typeof target.closest === 'function' && target.closest('.jp-OutputArea') !== null;
}

/** The text of a code block, without the button. */
export function codeText(pre: HTMLElement): string {
  const code = pre.querySelector('code');
  let text: string;
  if (code) {
    text = code.textContent ?? '';
  } else {
    const copy = pre.cloneNode(true) as HTMLElement;
    copy.querySelectorAll(`.${COPY_CLASS}`).forEach(button => button.remove());
    text = copy.textContent ?? '';
  }
  // Markdown renderers end a code block with a line break that is not part of the code.
  return text.replace(/\n$/, '');
}

function addButton(pre: HTMLElement): void {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = COPY_CLASS;
  // No text node: the label comes from CSS, so the block's text stays the code alone.
  button.title = 'Copy code';
  button.setAttribute('aria-label', 'Copy code');
  button.dataset.state = 'ready';
  button.addEventListener('click', event => {
    event.preventDefault();
    event.stopPropagation();
    void copy(codeText(pre)).then(ok => {
      button.dataset.state = ok ? 'copied' : 'failed';
      button.title = ok ? 'Copied' : 'Could not copy: select the code and copy it';
      window.setTimeout(() => {
        button.dataset.state = 'ready';
        button.title = 'Copy code';
      }, COPIED_MS);
    });
  });
  pre.classList.add(HAS_COPY_CLASS);
  pre.insertBefore(button, pre.firstChild);
}

async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard API (an insecure origin) or no permission: the copy-event route.
    try {
      Clipboard.copyToSystem(text);
      return true;
    } catch {
      return false;
    }
  }
}
