import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import type { Cell } from '@jupyterlab/cells';
import type { NotebookPanel } from '@jupyterlab/notebook';
import type { KernelMessage } from '@jupyterlab/services';

/** What the cell inserted by "Insert AIML cell below" starts with, unless configured. */
export const DEFAULT_PREFIX = '%%aiml';

/** The code "Reset the AIML conversation…" runs in the kernel. */
export const RESET_CODE = '%aiml reset';

/**
 * Insert a code cell below the active one, starting with `prefix` and a line break, and
 * put the cursor at its end (the line under `%%aiml`), ready for typing the prompt.
 */
export async function insertAimlCell(panel: NotebookPanel, prefix: string): Promise<Cell> {
  const notebook = panel.content;
  const model = notebook.model;
  if (!model) {
    throw new Error('the notebook has no model yet');
  }
  const source = prefix.endsWith('\n') ? prefix : `${prefix}\n`;
  const index = notebook.activeCell ? notebook.activeCellIndex + 1 : 0;
  model.sharedModel.insertCell(index, {
    cell_type: 'code',
    source,
    // Made by the user, like any cell inserted from the toolbar: trusted.
    metadata: { trusted: true }
  });
  notebook.activeCellIndex = index;
  notebook.deselectAll();
  const cell = notebook.widgets[index];
  // A notebook that renders cells lazily creates the editor only once the cell is shown.
  await notebook.scrollToItem(index, 'auto', 0).catch(() => undefined);
  await cell.ready;
  notebook.mode = 'edit';
  const lines = source.split('\n');
  const line = lines.length - 1;
  cell.editor?.setCursorPosition({ line, column: lines[line].length });
  cell.editor?.focus();
  return cell;
}

/**
 * Ask before forgetting the conversation: the chat's history is gone once reset, and a
 * command palette search or a menu slip must not cost the user their conversation.
 */
export async function confirmReset(panel: NotebookPanel): Promise<boolean> {
  const result = await showDialog({
    title: 'Reset the AIML conversation?',
    body:
      `The kernel of ${panel.context.path} forgets the default %%aiml chat: ` +
      'the next %%aiml cell starts a new conversation. Answers already in the notebook stay.',
    buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Reset' })],
    defaultButton: 0
  });
  return result.button.accept;
}

/**
 * Run `%aiml reset` silently in the notebook's kernel (no cell, no history entry) and tell
 * the user what the kernel answered.
 */
export async function resetConversation(panel: NotebookPanel): Promise<boolean> {
  const kernel = panel.sessionContext.session?.kernel;
  if (!kernel) {
    Notification.warning(
      'No kernel is running for this notebook: there is no AIML conversation to reset.',
      { autoClose: 5000 }
    );
    return false;
  }
  const printed: string[] = [];
  const future = kernel.requestExecute({
    code: RESET_CODE,
    silent: true,
    store_history: false
  });
  future.onIOPub = (msg: KernelMessage.IIOPubMessage) => {
    if (msg.header.msg_type === 'stream') {
      printed.push((msg as KernelMessage.IStreamMsg).content.text);
    }
  };
  let content: KernelMessage.IExecuteReplyMsg['content'];
  try {
    content = (await future.done).content;
  } catch (reason) {
    // The kernel died or restarted before it answered.
    Notification.error(`Could not reset the AIML conversation: ${reason}`, { autoClose: false });
    return false;
  }
  if (content.status === 'ok') {
    const said = printed.join('').trim();
    Notification.success(`AIML conversation reset${said ? `: ${said}` : '.'}`, {
      autoClose: 5000
    });
    return true;
  }
  let message = 'Could not reset the AIML conversation';
  if (content.status === 'error') {
    message += `: ${content.ename}: ${content.evalue}`;
    if (content.evalue.includes('not found')) {
      message += ' Run `%load_ext aiml_magics` in the notebook first.';
    }
  }
  Notification.error(message, { autoClose: false });
  return false;
}
