import type { Command } from '../framework';
import { datasetsDelete, datasetsList, datasetsShow } from './datasets';
import { serve } from './serve';

/** Every `iafa` subcommand. Add new commands here. */
export const commands: Command[] = [
  serve,
  datasetsList,
  datasetsShow,
  datasetsDelete,
];
