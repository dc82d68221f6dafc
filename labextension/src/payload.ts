import type { ICellModel, ICodeCellModel } from '@jupyterlab/cells';
import type { INotebookModel, NotebookPanel } from '@jupyterlab/notebook';
import type { Kernel, KernelMessage } from '@jupyterlab/services';

import { isAimlSource } from './highlight';

/**
 * The execute request metadata key under which a `%%aiml` cell's run carries the
 * notebook's cells (see README.md for the shape). JupyterLab sends `cellId` and
 * `deletedCells` the same way; ipykernel hands the metadata to the kernel unchanged.
 */
export const PAYLOAD_KEY = 'aimlNotebook';
export const PAYLOAD_VERSION = 1;

/** Bounds, so a huge notebook never makes a huge request. */
export const LIMITS = {
  cells: 200,
  sourceChars: 20_000,
  outputChars: 8_000,
  totalChars: 500_000
};

/** The text media types sent for display outputs; everything else is left out. */
const TEXT_MIMES = ['text/plain', 'text/markdown'];
const WIDGET_MIME = 'application/vnd.jupyter.widget-view+json';

export type PayloadOutput =
  | { output_type: 'stream'; name: string; text: string; truncated?: true }
  | {
      output_type: 'execute_result' | 'display_data';
      data: { [mime: string]: string };
      widget?: true;
      truncated?: true;
    }
  | { output_type: 'error'; ename: string; evalue: string; truncated?: true };

export interface IPayloadCell {
  id: string;
  cell_type: string;
  source: string;
  execution_count?: number | null;
  outputs: PayloadOutput[];
  truncated?: true;
}

export interface INotebookPayload {
  version: number;
  cells: IPayloadCell[];
  index: number;
  omitted: number;
}

interface ICut {
  text: string;
  cut: boolean;
}

function cut(value: unknown, limit: number): ICut {
  const text = Array.isArray(value) ? value.join('') : typeof value === 'string' ? value : '';
  return text.length > limit ? { text: text.slice(0, limit), cut: true } : { text, cut: false };
}

/** One saved output as text only, or null when it has no text worth sending. */
export function textOutput(output: any): PayloadOutput | null {
  const limit = LIMITS.outputChars;
  switch (output?.output_type) {
    case 'stream': {
      const { text, cut: truncated } = cut(output.text, limit);
      const name = String(output.name ?? 'stdout');
      return { output_type: 'stream', name, text, ...flag(truncated) };
    }
    case 'execute_result':
    case 'display_data': {
      const data: { [mime: string]: string } = {};
      let truncated = false;
      for (const mime of TEXT_MIMES) {
        if (output.data?.[mime] !== undefined) {
          const part = cut(output.data[mime], limit);
          data[mime] = part.text;
          truncated = truncated || part.cut;
        }
      }
      if (!Object.keys(data).length) {
        return null;
      }
      const widget = output.data?.[WIDGET_MIME] !== undefined;
      return {
        output_type: output.output_type,
        data,
        ...(widget ? { widget: true as const } : {}),
        ...flag(truncated)
      };
    }
    case 'error': {
      const ename = cut(output.ename, limit);
      const evalue = cut(output.evalue, limit);
      return {
        output_type: 'error',
        ename: ename.text,
        evalue: evalue.text,
        ...flag(ename.cut || evalue.cut)
      };
    }
    default:
      return null;
  }
}

function flag(truncated: boolean): { truncated?: true } {
  return truncated ? { truncated: true } : {};
}

function payloadCell(cell: ICellModel): IPayloadCell {
  const source = cut(cell.sharedModel.getSource(), LIMITS.sourceChars);
  const entry: IPayloadCell = {
    id: cell.id,
    cell_type: cell.type,
    source: source.text,
    outputs: [],
    ...flag(source.cut)
  };
  if (cell.type === 'code') {
    const code = cell as ICodeCellModel;
    entry.execution_count = code.executionCount ?? null;
    for (const output of code.outputs.toJSON()) {
      const text = textOutput(output);
      if (text) {
        entry.outputs.push(text);
      }
    }
  }
  return entry;
}

function size(cell: IPayloadCell): number {
  let chars = cell.source.length;
  for (const output of cell.outputs) {
    if (output.output_type === 'stream') {
      chars += output.text.length;
    } else if (output.output_type === 'error') {
      chars += output.ename.length + output.evalue.length;
    } else {
      chars += Object.values(output.data).reduce((sum, text) => sum + text.length, 0);
    }
  }
  return chars;
}

/**
 * The cells of `model` from the top down to the cell `cellId` (the one being run), in
 * notebook order, as text. The oldest cells are left out first when a bound is reached;
 * the running cell is always there, last.
 */
export function buildPayload(model: INotebookModel, cellId: string): INotebookPayload | null {
  const cells = model.cells;
  let running = -1;
  for (let i = 0; i < cells.length; i++) {
    if (cells.get(i).id === cellId) {
      running = i;
      break;
    }
  }
  if (running < 0) {
    return null;
  }
  const kept: IPayloadCell[] = [];
  let total = 0;
  for (let i = running; i >= 0 && kept.length < LIMITS.cells; i--) {
    const cell = payloadCell(cells.get(i));
    total += size(cell);
    if (i !== running && total > LIMITS.totalChars) {
      break;
    }
    kept.push(cell);
  }
  kept.reverse();
  return {
    version: PAYLOAD_VERSION,
    cells: kept,
    index: kept.length - 1,
    omitted: running + 1 - kept.length
  };
}

const WRAPPED = Symbol('aiml-magics:notebook-payload');

type Execute = Kernel.IKernelConnection['requestExecute'];

/**
 * Make the kernel connection add the notebook payload to the metadata of every execute
 * request for a `%%aiml` cell of `panel` (code starting with the magic and a `cellId`
 * that names a cell of this notebook). Other requests go out unchanged.
 */
function wrapKernel(kernel: Kernel.IKernelConnection, panel: NotebookPanel): void {
  const marked = kernel as unknown as { [WRAPPED]?: boolean };
  if (marked[WRAPPED]) {
    return;
  }
  marked[WRAPPED] = true;
  const original: Execute = kernel.requestExecute.bind(kernel);
  const requestExecute: Execute = (
    content: KernelMessage.IExecuteRequestMsg['content'],
    disposeOnDone?: boolean,
    metadata?: any
  ) => {
    const cellId = metadata?.cellId;
    const model = panel.context.model;
    if (typeof cellId === 'string' && isAimlSource(content.code) && !panel.context.isDisposed) {
      try {
        const payload = buildPayload(model, cellId);
        if (payload) {
          metadata = { ...metadata, [PAYLOAD_KEY]: payload };
        }
      } catch (reason) {
        // The cell runs without the payload rather than not at all.
        console.error('aiml-magics: could not collect the notebook cells', reason);
      }
    }
    return original(content, disposeOnDone, metadata);
  };
  kernel.requestExecute = requestExecute;
}

/** Send the notebook payload with `%%aiml` runs of `panel`, for every kernel it gets. */
export function sendNotebookWith(panel: NotebookPanel): void {
  const session = panel.sessionContext;
  const wrapCurrent = () => {
    const kernel = session.session?.kernel;
    if (kernel) {
      wrapKernel(kernel, panel);
    }
  };
  session.kernelChanged.connect(wrapCurrent);
  wrapCurrent();
}
