import { setFlagsFromString } from 'node:v8';
import { relaxedSimdKernels, simdKernels } from './generated/kernels-wasm.js';

// The compiled-in WebAssembly API, typed here with just what the kernels use: the project's TypeScript lib
// (ES2022, Node types) does not declare the WebAssembly namespace.

/** A compiled module: opaque, and cloneable into worker threads. */
export type WasmModule = object;

export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(pages: number): number;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: object };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}

const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** Size of a WebAssembly page, and the most pages a 32-bit memory can have (4 GiB). */
export const WASM_PAGE_BYTES = 65536;
export const WASM_MAX_PAGES = 65536;

export type WasmBackend = 'wasm-relaxed-simd' | 'wasm-simd';

/** Compiles the kernels built for `backend`, or returns undefined where this engine cannot run them. */
export function compileKernels(backend: WasmBackend): WasmModule | undefined {
  if (wasmApi === undefined) return undefined;
  const bytes = decodeBase64(backend === 'wasm-relaxed-simd' ? relaxedSimdKernels : simdKernels);
  let module = tryCompile(wasmApi, bytes);
  if (module === undefined && backend === 'wasm-relaxed-simd') {
    // Node 20 (V8 11.3) has relaxed SIMD behind a flag, which must be set before compiling; later versions
    // ship it. Setting a V8 flag at run time is allowed for flags that only gate features, like this one.
    setFlagsFromString('--experimental-wasm-relaxed-simd');
    module = tryCompile(wasmApi, bytes);
  }
  return module;
}

/** A shared memory for the kernels, growable up to 4 GiB. */
export function createSharedMemory(initialPages: number): WasmMemory {
  if (wasmApi === undefined) throw new Error('WebAssembly is not available');
  return new wasmApi.Memory({ initial: initialPages, maximum: WASM_MAX_PAGES, shared: true });
}

/** Instantiates the kernels over `memory` and returns their exports. */
export function instantiateKernels(module: WasmModule, memory: WasmMemory): object {
  if (wasmApi === undefined) throw new Error('WebAssembly is not available');
  return new wasmApi.Instance(module, { env: { memory } }).exports;
}

function tryCompile(api: WasmApi, bytes: Uint8Array): WasmModule | undefined {
  try {
    return new api.Module(bytes);
  } catch {
    return undefined;
  }
}

function decodeBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
}
