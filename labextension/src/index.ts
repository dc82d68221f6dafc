import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';

import { confirmReset, DEFAULT_PREFIX, insertAimlCell, resetConversation } from './commands';
import { CodeCopyButtons } from './copybutton';
import { AimlCellHighlighter, registerAimlLanguage } from './highlight';
import { aimlInsertIcon } from './icon';
import { sendNotebookWith } from './payload';
import { watchStopButtons } from './stopbutton';
import { WidgetFallback } from './widgetfallback';

const PLUGIN_ID = 'aiml-magics:plugin';

export namespace CommandIDs {
  export const insertCell = 'aiml-magics:insert-cell';
  export const reset = 'aiml-magics:reset';
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'Markdown highlighting of %%aiml cells, commands to insert an AIML cell and reset the ' +
    'conversation, the notebook sent with %%aiml runs, copy buttons on answer code, ' +
    'static stand-ins for gone widgets, the panel Stop button that interrupts the kernel.',
  autoStart: true,
  requires: [INotebookTracker, IEditorLanguageRegistry],
  optional: [ICommandPalette, ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    languages: IEditorLanguageRegistry,
    palette: ICommandPalette | null,
    settingRegistry: ISettingRegistry | null
  ) => {
    registerAimlLanguage(languages);
    const highlighter = new AimlCellHighlighter();
    const copyButtons = new CodeCopyButtons();
    const fallback = new WidgetFallback(tracker);
    let fallbackReady = false;
    const watch = (panel: NotebookPanel) => {
      highlighter.watch(panel);
      copyButtons.watch(panel);
      watchStopButtons(panel);
      sendNotebookWith(panel);
      // The widget renderer class is reachable once ipywidgets has registered it.
      fallbackReady = fallbackReady || fallback.patchFrom(panel);
    };
    tracker.forEach(watch);
    tracker.widgetAdded.connect((_, panel) => watch(panel));

    let prefix = DEFAULT_PREFIX;
    if (settingRegistry) {
      settingRegistry
        .load(PLUGIN_ID)
        .then(settings => {
          const read = () => {
            const value = settings.get('cellPrefix').composite;
            prefix = typeof value === 'string' && value ? value : DEFAULT_PREFIX;
          };
          read();
          settings.changed.connect(read);
        })
        .catch(reason => {
          console.error(`${PLUGIN_ID}: could not load settings`, reason);
        });
    }

    const hasNotebook = () => tracker.currentWidget !== null;
    app.commands.addCommand(CommandIDs.insertCell, {
      label: 'Insert AIML cell below',
      caption: () =>
        `Insert a cell starting with ${prefix.split('\n')[0]} below the active cell`,
      icon: args => (args.isPalette ? undefined : aimlInsertIcon),
      isEnabled: hasNotebook,
      execute: async () => {
        const panel = tracker.currentWidget;
        if (panel) {
          await insertAimlCell(panel, prefix);
        }
      }
    });
    app.commands.addCommand(CommandIDs.reset, {
      // "AIML" later in the label than in "Insert AIML cell below": the palette ranks a label
      // match by where it starts, so "aiml" + Enter inserts. The ellipsis: it asks first.
      label: 'Reset the AIML conversation…',
      caption: "Forget the default %%aiml chat in this notebook's kernel (%aiml reset)",
      isEnabled: hasNotebook,
      execute: async args => {
        const panel = tracker.currentWidget;
        if (!panel) {
          return false;
        }
        // `confirm: false` is for scripts that already asked; every menu entry asks.
        if (args.confirm !== false && !(await confirmReset(panel))) {
          return false;
        }
        return resetConversation(panel);
      }
    });
    if (palette) {
      // "aiml" + Enter must insert a cell (harmless), never reset: the labels decide it
      // (see the reset label), the ranks keep that order for equally good matches.
      palette.addItem({ command: CommandIDs.insertCell, category: 'AIML', rank: 0 });
      palette.addItem({ command: CommandIDs.reset, category: 'AIML', rank: 1 });
    }
  }
};

export default plugin;
