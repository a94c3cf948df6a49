import { z } from 'zod';
import { call } from './call';

/**
 * Helpers for the import flow: what two files share before they are imported together, and a
 * first funnel for a fresh event log. Both only read; nothing is stored.
 */
export const JoinPreviewInput = z.object({
  /** Two to twenty files; the first is the one the others are joined to (e.g. leads, then deals). */
  paths: z.array(z.string().min(1).max(4096)).min(2).max(20),
  /** The column every file names its id in (e.g. mql_id). */
  key: z.string().min(1).max(500),
});

export const JoinPreview = z.object({
  key: z.string(),
  files: z.array(
    z.object({
      path: z.string(),
      rows: z.number().int().nonnegative(),
      /** Distinct non-empty ids in this file. */
      ids: z.number().int().nonnegative(),
      /** Of those, how many the first file has too (the first file: all of its own). */
      matched: z.number().int().nonnegative(),
      /** A few ids found here but not in the first file. */
      unmatchedSample: z.array(z.string()),
    }),
  ),
  /** Ids present in every file. */
  inAll: z.number().int().nonnegative(),
});
export type JoinPreview = z.infer<typeof JoinPreview>;

export const datasetsJoinPreview = call({
  name: 'datasets:join-preview',
  summary: 'How many ids of each file the first file has too, before importing them as one dataset.',
  http: { method: 'POST', path: '/api/v1/datasets/join-preview' },
  input: JoinPreviewInput,
  output: JoinPreview,
});

export const SuggestedFunnel = z.object({
  /** The most common path of events, step by step (empty when the log has fewer than two event names). */
  steps: z.array(z.string()),
  /** Users whose events follow each prefix of that path, in order (first: users with the first event). */
  users: z.array(z.number().int().nonnegative()),
  totalUsers: z.number().int().nonnegative(),
});
export type SuggestedFunnel = z.infer<typeof SuggestedFunnel>;

export const datasetsSuggestFunnel = call({
  name: 'datasets:suggest-funnel',
  summary: 'The most common event path of an event log, as a first funnel to edit.',
  http: { method: 'GET', path: '/api/v1/datasets/:datasetId/suggested-funnel' },
  input: z.object({ datasetId: z.string().min(1) }),
  output: SuggestedFunnel,
});
