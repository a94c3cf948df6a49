import v8 from 'node:v8';

// The engine's kernels in WebAssembly (the import reader), compiled from
// AssemblyScript by scripts/build-wasm.mjs and shipped as base64 modules.

// The engine's tsconfig has no DOM or WebAssembly types: the little of the API used here.
export interface WasmMemory {
  /** Shared (see scripts/build-wasm.mjs): never detached when the memory grows. */
  buffer: SharedArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  RuntimeError: new () => Error;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

class KernelFailure extends Error {}

/**
 * Whether an error came from a kernel itself (a trap, or its 4 GB memory running out) rather
 * than from the data: callers then do the same work in JavaScript.
 */
export function isKernelFailure(err: unknown): boolean {
  return err instanceof KernelFailure || err instanceof wasm.RuntimeError || err instanceof RangeError;
}

/** Compiles a kernel once; each call of the result is a fresh instance with its own memory. */
export function kernelFactory<T>(base64: string, name: string): () => T {
  let compiled: object | null = null;
  return () => {
    if (!compiled) {
      // V8 first runs WebAssembly through its baseline compiler and swaps in optimized code only
      // between calls; a long first call then runs 1.5-2x slower. Optimizing these small modules
      // up front costs a few milliseconds. The flag only touches WebAssembly compiles.
      v8.setFlagsFromString('--no-liftoff');
      compiled = new wasm.Module(Buffer.from(base64, 'base64'));
    }
    const instance = new wasm.Instance(compiled, {
      env: {
        abort: () => {
          throw new KernelFailure(`The ${name} kernel stopped.`);
        },
      },
    });
    return instance.exports as T;
  };
}
