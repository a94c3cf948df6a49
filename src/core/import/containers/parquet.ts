import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { IafaError } from '../../../shared/contract/iafa-error';

/**
 * Parquet through hyparquet (pure JavaScript; its compressors package adds gzip, zstd, brotli and
 * lz4 to the built-in snappy). Read one row group at a time, as objects (structs nested, lists as
 * arrays), so memory holds one row group's rows, never the file's. See docs/data-formats.md for
 * why hyparquet rather than parquet-wasm.
 */
export async function* parquetRows(path: string, opts: { maxRows?: number } = {}): AsyncGenerator<Record<string, unknown>[]> {
  let file;
  let meta: FileMetaData;
  try {
    file = await asyncBufferFromFile(path);
    meta = await parquetMetadataAsync(file);
  } catch (err) {
    throw new IafaError('validation', `Cannot read the Parquet file ${path}: its footer is damaged or missing (${(err as Error).message}).`, { reason: 'corrupt_parquet' });
  }
  let rowStart = 0;
  for (const g of meta.row_groups) {
    const n = Number(g.num_rows);
    let rowEnd = rowStart + n;
    if (opts.maxRows !== undefined) rowEnd = Math.min(rowEnd, opts.maxRows);
    let rows: Record<string, unknown>[];
    try {
      rows = (await parquetReadObjects({ file, metadata: meta, compressors, rowStart, rowEnd })) as Record<string, unknown>[];
    } catch (err) {
      const msg = (err as Error).message;
      const unsupported = /unsupported/i.test(msg);
      throw new IafaError('validation', unsupported ? `The Parquet file ${path} uses a feature this reader does not support (${msg.replace(/^parquet /, '')}); rewrite it with a common encoding (PLAIN, dictionary, delta) and codec (snappy, gzip, zstd).` : `Cannot read the Parquet file ${path}: ${msg}.`, { reason: unsupported ? 'unsupported_parquet' : 'corrupt_parquet' });
    }
    yield rows;
    rowStart += n;
    if (opts.maxRows !== undefined && rowStart >= opts.maxRows) return;
  }
}
