import { WASM_MAX_PAGES, WASM_PAGE_BYTES, type WasmMemory } from './wasm-module.js';

const ALIGN = 64; // a cache line: no two buffers share one, and every f32x4 load is aligned

/**
 * The kernels' working memory: a stack of float32 buffers in the shared WebAssembly memory, above the
 * module's own data. Each public kernel call starts with reset(), copies its inputs in, runs, and copies
 * its results out; the memory grows on demand (WebAssembly memory never shrinks, so it stays at the
 * largest size a call needed).
 */
export class KernelMemory {
  private readonly memory: WasmMemory;
  private readonly base: number;
  private top: number;

  constructor(memory: WasmMemory, base: number) {
    this.memory = memory;
    this.base = alignUp(base);
    this.top = this.base;
  }

  /** Frees every buffer. */
  reset(): void {
    this.top = this.base;
  }

  /** A new buffer of `floats` float32 values (contents undefined); returns its byte address. */
  alloc(floats: number): number {
    const address = this.top;
    const end = address + alignUp(floats * 4);
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / WASM_PAGE_BYTES);
      if (have / WASM_PAGE_BYTES + pages > WASM_MAX_PAGES) {
        throw new RangeError(
          `kernels: this problem needs ${Math.ceil(end / 2 ** 20)} MiB of WebAssembly memory, over the 4 GiB limit`,
        );
      }
      this.memory.grow(pages);
    }
    this.top = end;
    return address;
  }

  /** A new buffer holding the first `length` values of `data`. */
  upload(data: Float32Array, length: number): number {
    const address = this.alloc(length);
    this.view(address, length).set(data.subarray(0, length));
    return address;
  }

  /** A view of `length` floats at `address` (valid until the memory next grows). */
  view(address: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, address, length);
  }
}

function alignUp(bytes: number): number {
  return Math.ceil(bytes / ALIGN) * ALIGN;
}
