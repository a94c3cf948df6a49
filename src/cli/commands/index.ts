import type { Command } from '../framework';
import { ask } from './ask';
import { datasetsDelete, datasetsList, datasetsShow } from './datasets';
import { experimentAnalyze, experimentCausal, experimentDesign } from './experiment';
import { report } from './report';
import { hypotheses } from './hypotheses';
import { insights } from './insights';
import { serve } from './serve';
import { funnel } from './funnel';
import { importCommand } from './import';

/** Every `iafa` subcommand. Add new commands here. */
export const commands: Command[] = [
  serve,
  datasetsList,
  datasetsShow,
  datasetsDelete,
  importCommand,
  funnel,
  report,
  insights,
  hypotheses,
  ask,
  experimentDesign,
  experimentAnalyze,
  experimentCausal,
];
