import { parentPort } from 'node:worker_threads';
import { parseChunk, type ChunkTask } from './parse-chunk';

// Worker entry: started before its task is known (see readCsvChunks), it parses the one byte
// range it is then sent and hands its typed arrays back without copying them.
parentPort!.once('message', (task: ChunkTask) => {
  let last = 0;
  try {
    const res = parseChunk(task, (n) => {
      if (n - last >= 16 << 20) {
        parentPort!.postMessage({ type: 'progress', bytes: n - last });
        last = n;
      }
    });
    // The WebAssembly reader's columns sit in its shared memory, which is posted, not moved.
    const buffers = [res.userStart.buffer, res.time.buffer, ...res.columns.map((c) => c.codes.buffer)];
    const transfer = [...new Set(buffers.filter((b): b is ArrayBuffer => b instanceof ArrayBuffer))];
    parentPort!.postMessage({ type: 'done', result: res, bytes: task.end - task.start - last }, transfer);
  } catch (err) {
    const e = err as { kind?: string; message?: string; details?: unknown };
    parentPort!.postMessage({ type: 'error', error: { kind: e.kind ?? 'internal', message: e.message ?? String(err), details: e.details } });
  }
});
