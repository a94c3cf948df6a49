import v8 from 'node:v8';
import { PARSE_WASM_BASE64 } from './parse-wasm';

// The engine's tsconfig has no DOM or WebAssembly types: the little of the API used here.
interface WasmMemory {
  buffer: ArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  RuntimeError: new () => Error;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The exports of assembly/parse.ts (pointers are byte offsets into `memory`). */
export interface ParseKernel {
  memory: WasmMemory;
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
}

export const KERNEL_FORMATS = { unix_s: 1, unix_ms: 2, iso: 3, date: 3 } as const;

let compiled: object | null = null;

class KernelFailure extends Error {}

/**
 * Whether an error came from the kernel itself (a trap, or its 4 GB memory running out on a
 * huge chunk) rather than from the data: the caller then reads the chunk in JavaScript.
 */
export function isKernelFailure(err: unknown): boolean {
  return err instanceof KernelFailure || err instanceof wasm.RuntimeError || err instanceof RangeError;
}

/** A fresh instance (its own memory): one per chunk, dropped with it. */
export function newParseKernel(): ParseKernel {
  if (!compiled) {
    // V8 first runs WebAssembly through its baseline compiler and swaps in optimized code only
    // between calls; a chunk's first pieces then run 1.5-2x slower. Optimizing the (7 KB)
    // module up front costs a few milliseconds. The flag only touches WebAssembly compiles.
    v8.setFlagsFromString('--no-liftoff');
    compiled = new wasm.Module(Buffer.from(PARSE_WASM_BASE64, 'base64'));
  }
  const instance = new wasm.Instance(compiled, {
    env: {
      abort: () => {
        throw new KernelFailure('The import kernel stopped.');
      },
    },
  });
  return instance.exports as unknown as ParseKernel;
}
