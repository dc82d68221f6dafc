import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IEditorLanguageRegistry } from '@jupyterlab/codemirror';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';

import { DEFAULT_PREFIX, insertAimlCell, resetConversation } from './commands';
import { AimlCellHighlighter, registerAimlLanguage } from './highlight';
import { aimlInsertIcon } from './icon';

const PLUGIN_ID = 'aiml-magics:plugin';

export namespace CommandIDs {
  export const insertCell = 'aiml-magics:insert-cell';
  export const reset = 'aiml-magics:reset';
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'Markdown highlighting of %%aiml cells, and commands to insert an AIML cell and reset the conversation.',
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
    tracker.forEach(panel => highlighter.watch(panel));
    tracker.widgetAdded.connect((_, panel) => highlighter.watch(panel));

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
      label: 'Reset AIML conversation',
      caption: "Forget the default %%aiml chat in this notebook's kernel (%aiml reset)",
      isEnabled: hasNotebook,
      execute: async () => {
        const panel = tracker.currentWidget;
        return panel ? resetConversation(panel) : false;
      }
    });
    if (palette) {
      for (const command of [CommandIDs.insertCell, CommandIDs.reset]) {
        palette.addItem({ command, category: 'AIML' });
      }
    }
  }
};

export default plugin;
