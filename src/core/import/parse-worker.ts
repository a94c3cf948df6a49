import v8 from 'node:v8';
import vm from 'node:vm';
import { parentPort } from 'node:worker_threads';
import { takeBlocks } from '../helper-thread';
import { mergeBlock, type MergeJob } from './copy-blocks';
import type { RawDict } from './bytes-dict';
import { parseChunk, type ChunkTask } from './parse-chunk';
import { matchLaterUsers } from './parse-chunk-wasm';
import { parseJsonChunk, type JsonChunkTask } from './json/parallel';

// Worker entry: started before its task is known (see readCsvChunks), it parses the byte range
// it is then sent and hands its typed arrays back without copying them. The import may then
// keep it as its helper thread (helper-thread.ts) for blocks of the chunk merge. Funnel passes
// have their own helper, owned by the local backend (backends/local/pass-thread.ts).
parentPort!.on(
  'message',
  (
    m:
      | { type: 'parse'; task: ChunkTask }
      | { type: 'parse-json'; task: JsonChunkTask }
      | { type: 'match-users'; dicts: RawDict[] }
      | (MergeJob & { blocks: number; sync: Int32Array }),
  ) => {
    if (m.type === 'parse') {
      parse(m.task);
      // (The first range's worker collects after matching the others' ids: its memory is kept
      // until then anyway, and a collection now would hold up that match.)
      if (!m.task.keepUsers) releaseMemory();
    } else if (m.type === 'parse-json') void parseJson(m.task);
    else if (m.type === 'match-users') matchUsers(m.dicts);
    // (A job this build does not know is left alone: its caller does every block itself.)
    else if (m.type === 'merge') takeBlocks(m.sync, m.blocks, (k) => mergeBlock(m, k));
  },
);

function parse(task: ChunkTask): void {
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
}

/** The later ranges' user ids in the first range's index (matchLaterUsers); null maps when this thread kept none. */
function matchUsers(dicts: RawDict[]): void {
  try {
    const maps = matchLaterUsers(dicts);
    parentPort!.postMessage({ type: 'users', maps }, maps ? maps.map((x) => x.buffer as ArrayBuffer) : []);
  } catch (err) {
    parentPort!.postMessage({ type: 'users', maps: null, error: String(err) });
  }
  releaseMemory();
}

/** A range of a plain NDJSON export (json/parallel.ts): the same result format as a CSV range. */
async function parseJson(task: JsonChunkTask): Promise<void> {
  try {
    const res = await parseJsonChunk(task);
    const transfer = [res.userStart.buffer, res.time.buffer, ...res.columns.map((c) => c.codes.buffer)].filter(
      (b): b is ArrayBuffer => b instanceof ArrayBuffer,
    );
    parentPort!.postMessage({ type: 'done', result: res }, [...new Set(transfer)]);
  } catch (err) {
    const e = err as { kind?: string; message?: string; details?: unknown };
    parentPort!.postMessage({ type: 'error', error: { kind: e.kind ?? 'internal', message: e.message ?? String(err), details: e.details } });
  }
  releaseMemory();
}

/**
 * A full garbage collection, once the parse's result is posted: its WebAssembly memory (about
 * 20 bytes a row) is garbage here now, but an idle thread never collects, and the import keeps
 * this thread as its helper. (The memory is shared: it goes once the merge is done with it too.)
 */
function releaseMemory(): void {
  collect?.();
}

/** The collector, made once as the thread loads (a context made for it per call cost about 5 ms); null when not available (the memory then goes whenever this thread next collects). */
const collect = ((): (() => void) | null => {
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return null;
  }
})();

// Loaded: a worker started ahead (read-parallel.ts reserveWorkers) is now ready for a task.
parentPort!.postMessage({ type: 'ready' });
