import { parentPort } from 'node:worker_threads';
import { passPart, type PassPartJob } from '../../funnel/pass';
import { ttcStep } from '../../funnel/ttc';
import { takeBlocks } from '../../helper-thread';

// Worker entry of the local backend's funnel helper (pass-thread.ts): it takes blocks of a large
// funnel pass, or steps of the time-to-convert quantiles, on columns in shared memory, from a
// counter it shares with the funnel's caller (runBlocks in helper-thread.ts).
parentPort!.on('message', (m: (PassPartJob | { type: 'ttc'; spans: Float64Array[]; out: Float64Array }) & { blocks: number; sync: Int32Array }) => {
  if (m.type === 'pass') takeBlocks(m.sync, m.blocks, (b) => passPart({ ...m, u0: m.cuts[b], u1: m.cuts[b + 1] }));
  else if (m.type === 'ttc') takeBlocks(m.sync, m.blocks, (k) => ttcStep(m.spans, m.out, k));
  // (A job this build does not know is left alone: its caller does every block itself.)
});
