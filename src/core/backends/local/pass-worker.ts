import { parentPort } from 'node:worker_threads';
import { passPart, type PassPartJob } from '../../funnel/pass';
import { ttcSummary } from '../../funnel/ttc';
import { finishJob } from '../../helper-thread';

// Worker entry of the local backend's funnel helper (pass-thread.ts): it takes half of a large
// funnel pass, or the time-to-convert quantiles, on columns in shared memory, and sets the job's
// flag when done (helper-thread.ts).
parentPort!.on('message', (m: (PassPartJob & { flag: Int32Array }) | { type: 'ttc'; spans: Float64Array[]; out: Float64Array; flag: Int32Array }) => {
  if (m.type === 'pass') finishJob(m.flag, () => passPart(m));
  else if (m.type === 'ttc') finishJob(m.flag, () => ttcSummary(m.spans, m.out));
  // A job this build does not know: failed, so the caller does it (rather than waiting).
  else if ('flag' in m)
    finishJob((m as { flag: Int32Array }).flag, () => {
      throw new Error(`unknown helper job ${(m as { type: string }).type}`);
    });
});
