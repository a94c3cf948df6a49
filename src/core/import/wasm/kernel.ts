import { kernelFactory, type WasmMemory } from '../../wasm';
import { PARSE_WASM_BASE64 } from './parse-wasm';

export { isKernelFailure } from '../../wasm';

/**
 * What both kernels (assembly/parse.ts for CSV, assembly/ndjson.ts) hand back once a range is
 * parsed: the dictionaries, then the rows sorted by (user, time). Pointers are byte offsets
 * into `memory`.
 */
export interface KernelResults {
  memory: WasmMemory;
  dictSize(field: number): number;
  dictSpans(field: number): number;
  dictPool(field: number): number;
  dictPoolLen(field: number): number;
  warnings(): number;
  sortRows(): void;
  userStartPtr(): number;
  sortedTimePtr(): number;
  sortedCodesPtr(field: number): number;
  codeWidth(field: number): number;
  codeCounts(field: number): number;
  userValuesPtr(): number;
}

/** The exports of assembly/parse.ts (pointers are byte offsets into `memory`). */
export interface ParseKernel extends KernelResults {
  alloc(size: number): number;
  configure(fields: number, user: number, time: number, event: number, fmt: number, delimiter: number, userCap: number): void;
  reserve(rows: number): void;
  seed(field: number, ptr: number, len: number): void;
  countByte(ptr: number, len: number, byte: number): number;
  parse(ptr: number, len: number, final: number): number;
  rowCount(): number;
  lineCount(): number;
  timePtr(): number;
  codesPtr(field: number): number;
  mergeBegin(cap: number): void;
  mergeIds(pool: number, spans: number, n: number, out: number): void;
  matchUserIds(pool: number, spans: number, n: number, out: number): void;
  setSortedMinSlots(slots: number): void;
}

/**
 * Sizes a kernel's columns once, before its first piece [at, at + len) is parsed: for the rows
 * `totalBytes` should hold at that piece's bytes per line (+5%), or the piece's lines when it is
 * the last (or the total is unknown). Both kernels grow them themselves if later lines are
 * shorter, so pieces are not counted line by line.
 */
export function sizeColumns(
  k: { countByte(ptr: number, len: number, byte: number): number; reserve(rows: number): void },
  at: number,
  len: number,
  totalBytes: number,
  final: boolean,
): void {
  const lines = k.countByte(at, len, 10) + 1;
  k.reserve(totalBytes > 0 && !final ? Math.ceil((totalBytes / (len / lines)) * 1.05) : lines);
}

export const KERNEL_FORMATS = { unix_s: 1, unix_ms: 2, iso: 3, date: 3 } as const;

const newInstance = kernelFactory<ParseKernel>(PARSE_WASM_BASE64, 'import');

/**
 * A fresh instance (its own memory): one per chunk, dropped with it. IAFA_KERNEL_SORTED_MIN_SLOTS
 * (tests only) lowers the index size from which user ids are probed in slot order (users.ts).
 */
export function newParseKernel(): ParseKernel {
  const k = newInstance();
  const slots = Number(process.env.IAFA_KERNEL_SORTED_MIN_SLOTS);
  if (slots > 0) k.setSortedMinSlots(slots);
  return k;
}
