import fs from 'node:fs';
import { tableFromIPC, Type, type Data, type Table } from 'apache-arrow';
import { ParquetFile, readParquet, readSchema } from 'parquet-wasm/node';
import { IafaError } from '../../../shared/contract/iafa-error';
import { MAX_DATE_MS } from '../timestamps';
import { isKeyValueList, kvValue, emitValue, type Fields, type PathTable, type Scratch } from '../json/fields';

/**
 * Parquet through parquet-wasm (the Rust parquet crate compiled to WebAssembly: snappy, gzip,
 * zstd, brotli and lz4 pages, nested structs and lists) into Arrow columns, one row group at a
 * time. Rows are never built as objects: each leaf column is walked as its Arrow buffers, and a
 * string value is a byte range of the column's own data (see docs/data-formats.md for the
 * measurement against hyparquet).
 */
export interface ParquetBatch {
  rows: number;
  /** Fills `fields` with row r's values (flattened, dotted paths). */
  row(r: number, fields: Fields): void;
}

function fail(path: string, err: unknown): IafaError {
  // A trap ("unreachable") is the Rust reader panicking on bytes it did not expect.
  const msg =
    err instanceof Error && err.name === 'RuntimeError'
      ? 'the file is damaged (the reader stopped on invalid metadata or pages)'
      : String((err as Error)?.message ?? err);
  const unsupported = /not (yet )?(supported|implemented)|unsupported/i.test(msg);
  return new IafaError(
    'validation',
    unsupported
      ? `The Parquet file ${path} uses a feature this reader does not support (${msg}); rewrite it with a common encoding (PLAIN, dictionary, delta) and codec (snappy, gzip, zstd).`
      : `Cannot read the Parquet file ${path}: ${msg}.`,
    { reason: unsupported ? 'unsupported_parquet' : 'corrupt_parquet' },
  );
}

export async function* parquetBatches(path: string, paths: PathTable, scratch: Scratch, opts: { maxRows?: number } = {}): AsyncGenerator<ParquetBatch> {
  const bytes = new Uint8Array(fs.readFileSync(path));
  let groups: number;
  try {
    // The footer is read synchronously first: a panic on a damaged footer inside the asynchronous
    // fromFile escapes its promise (an uncaught error, the request never answered), while here it
    // is an exception like any other.
    readSchema(bytes).free();
    const file = await ParquetFile.fromFile(new Blob([bytes]));
    groups = file.metadata().numRowGroups();
    file.free();
  } catch (err) {
    throw fail(path, err);
  }
  let seen = 0;
  for (let g = 0; g < groups; g++) {
    let table: Table;
    try {
      const t = readParquet(bytes, { rowGroups: [g], ...(opts.maxRows !== undefined ? { limit: opts.maxRows - seen } : {}) });
      table = tableFromIPC(t.intoIPCStream());
    } catch (err) {
      throw fail(path, err);
    }
    for (const batch of table.batches) {
      const walkers = batch.schema.fields.map((f, i) => walker(batch.data.children[i], paths.childString(0, f.name), paths, scratch));
      yield {
        rows: batch.numRows,
        row: (r, fields) => {
          for (const w of walkers) w(r, fields);
        },
      };
      seen += batch.numRows;
    }
    if (opts.maxRows !== undefined && seen >= opts.maxRows) return;
  }
}

type Walker = (r: number, f: Fields) => void;

/** A time as ISO text; past what a Date holds (a damaged page), its number, which the reader then counts as a bad timestamp. */
const isoOrRaw = (ms: number): string => (ms >= -MAX_DATE_MS && ms <= MAX_DATE_MS ? new Date(ms).toISOString() : String(ms));

const valid = (d: Data, i: number): boolean => {
  const bm = d.nullBitmap;
  if (!bm || d.nullCount === 0) return true;
  const j = d.offset + i;
  return ((bm[j >> 3] >> (j & 7)) & 1) === 1;
};

/** A function that pushes column `d`'s value at row r (and its nested values) into the fields. */
function walker(d: Data, path: number, paths: PathTable, scratch: Scratch): Walker {
  const t = d.type;
  const text = (r: number, f: Fields, s: string) => {
    const [b, st, e] = scratch.write(s);
    f.push(path, b, st, e);
  };
  switch (t.typeId) {
    case Type.Utf8:
    case Type.Binary: {
      const offs = d.valueOffsets as Int32Array;
      const vals = d.values as Uint8Array;
      const o = d.offset;
      return (r, f) => {
        if (!valid(d, r)) return;
        const s = offs[o + r];
        const e = offs[o + r + 1];
        if (e > s) f.push(path, vals, s, e);
      };
    }
    case Type.Struct: {
      const kids = t.children.map((c: { name: string }, i: number) => walker(d.children[i], paths.childString(path, c.name), paths, scratch));
      return (r, f) => {
        if (!valid(d, r)) return;
        for (const k of kids) k(r, f);
      };
    }
    case Type.Int:
    case Type.Float: {
      const vals = d.values as ArrayLike<number | bigint>;
      const o = d.offset;
      return (r, f) => {
        if (valid(d, r)) text(r, f, String(vals[o + r]));
      };
    }
    case Type.Bool: {
      const vals = d.values as Uint8Array;
      return (r, f) => {
        if (!valid(d, r)) return;
        const j = d.offset + r;
        text(r, f, (vals[j >> 3] >> (j & 7)) & 1 ? 'true' : 'false');
      };
    }
    case Type.Timestamp: {
      const vals = d.values as unknown as BigInt64Array;
      const per = [1000, 1, 1e-3, 1e-6][(t as unknown as { unit: number }).unit] ?? 1;
      return (r, f) => {
        if (valid(d, r)) text(r, f, isoOrRaw(Number(vals[d.offset + r]) * per));
      };
    }
    case Type.Date: {
      const vals = d.values as ArrayLike<number | bigint>;
      const dayUnit = (t as unknown as { unit: number }).unit === 0;
      return (r, f) => {
        if (valid(d, r)) text(r, f, isoOrRaw(Number(vals[d.offset + r]) * (dayUnit ? 86_400_000 : 1)).slice(0, 10));
      };
    }
    default: {
      // Lists (GA4's event_params: one property per key), maps and the rest: through their JS values.
      const vector = { get: (r: number) => getValue(d, r) };
      return (r, f) => {
        if (!valid(d, r)) return;
        const v = vector.get(r);
        if (Array.isArray(v) && isKeyValueList(v)) {
          for (const kv of v as { key: string; value: unknown }[]) emitValue(paths, f, scratch, paths.childString(path, kv.key), kvValue(kv.value));
        } else emitValue(paths, f, scratch, path, v);
      };
    }
  }
}

/** A value as plain JS (objects and arrays), for the rare column types the walker has no fast path for. */
function getValue(d: Data, r: number): unknown {
  if (!valid(d, r)) return null;
  const t = d.type;
  switch (t.typeId) {
    case Type.Utf8: {
      const offs = d.valueOffsets as Int32Array;
      return Buffer.from(
        (d.values as Uint8Array).buffer,
        (d.values as Uint8Array).byteOffset + offs[d.offset + r],
        offs[d.offset + r + 1] - offs[d.offset + r],
      ).toString('utf8');
    }
    case Type.Int:
    case Type.Float: {
      const v = (d.values as ArrayLike<number | bigint>)[d.offset + r];
      return typeof v === 'bigint' ? Number(v) : v;
    }
    case Type.Bool: {
      const j = d.offset + r;
      return (((d.values as Uint8Array)[j >> 3] >> (j & 7)) & 1) === 1;
    }
    case Type.Struct: {
      const o: Record<string, unknown> = {};
      t.children.forEach((c: { name: string }, i: number) => (o[c.name] = getValue(d.children[i], r)));
      return o;
    }
    case Type.List:
    case Type.Map: {
      const offs = d.valueOffsets as Int32Array;
      const out: unknown[] = [];
      for (let k = offs[d.offset + r]; k < offs[d.offset + r + 1]; k++) out.push(getValue(d.children[0], k));
      if (t.typeId === Type.Map) return Object.fromEntries((out as Record<string, unknown>[]).map((e) => Object.values(e)));
      return out;
    }
    default:
      return null;
  }
}
