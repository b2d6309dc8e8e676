import { WASM_MAX_PAGES, WASM_PAGE_BYTES, type WasmMemory } from './wasm-module.js';

const ALIGN = 64; // a cache line: no two buffers share one, and every f32x4 load is aligned

interface ResidentBlock {
  address: number;
  bytes: number;
  free: boolean;
}

/**
 * The kernels' working memory in the shared WebAssembly memory, above the module's own data, in two parts:
 *
 * - resident arrays (`allocResident`): float32 arrays the caller keeps across kernel calls, so that large
 *   inputs are read in place instead of copied in for every call; first-fit blocks, released explicitly;
 * - above them, a stack of scratch buffers: each public kernel call starts with reset(), copies its inputs
 *   in, runs, and copies its results out.
 *
 * The memory grows on demand (WebAssembly memory never shrinks, so it stays at the largest size needed).
 * Growing a shared memory never detaches it: views made before stay valid.
 */
export class KernelMemory {
  private readonly memory: WasmMemory;
  private readonly heapBase: number;
  /** Where the scratch stack starts: the end of the resident blocks. */
  private base: number;
  private top: number;
  private readonly blocks: ResidentBlock[] = [];
  /** Every buffer object the memory has been seen through, to recognise views of it. */
  private readonly buffers = new WeakSet<ArrayBufferLike>();

  constructor(memory: WasmMemory, heapBase: number) {
    this.memory = memory;
    this.heapBase = alignUp(heapBase);
    this.base = this.heapBase;
    this.top = this.base;
  }

  /** Frees every scratch buffer (resident arrays stay). */
  reset(): void {
    this.top = this.base;
  }

  /** A new scratch buffer of `floats` float32 values (contents undefined); returns its byte address. */
  alloc(floats: number): number {
    const address = this.top;
    const end = address + alignUp(floats * 4);
    this.ensure(end);
    this.top = end;
    return address;
  }

  /** A new scratch buffer holding the first `length` values of `data`. */
  upload(data: Float32Array, length: number): number {
    const address = this.alloc(length);
    this.view(address, length).set(data.subarray(0, length));
    return address;
  }

  /** A new scratch buffer holding the vectors (each of length d) one after another, as rows. */
  uploadRows(vectors: readonly Float32Array[], d: number): number {
    const address = this.alloc(vectors.length * d);
    vectors.forEach((v, i) => {
      this.view(address + i * d * 4, d).set(v);
    });
    return address;
  }

  /** The address of `data` when it is a resident array (read in place), else of a scratch copy of it. */
  input(data: Float32Array, length: number): number {
    return this.residentAddress(data) ?? this.upload(data, length);
  }

  /** A view of `length` floats at `address`. */
  view(address: number, length: number): Float32Array {
    const buffer = this.memory.buffer;
    this.buffers.add(buffer);
    return new Float32Array(buffer, address, length);
  }

  /**
   * A resident array of `length` (≥ 1) floats, zero-filled. Only between kernel calls (it moves the
   * scratch stack, whose contents are dead then).
   */
  allocResident(length: number): Float32Array {
    const bytes = alignUp(length * 4);
    const fit = this.blocks.findIndex((block) => block.free && block.bytes >= bytes);
    let address: number;
    if (fit >= 0) {
      const block = this.blocks[fit];
      if (block.bytes > bytes) {
        this.blocks.splice(fit + 1, 0, {
          address: block.address + bytes,
          bytes: block.bytes - bytes,
          free: true,
        });
      }
      block.bytes = bytes;
      block.free = false;
      address = block.address;
    } else {
      address = this.base;
      this.ensure(address + bytes);
      this.blocks.push({ address, bytes, free: false });
      this.base = this.top = address + bytes;
    }
    return this.view(address, length).fill(0);
  }

  /** Releases the resident array starting at `array`; false when it is not one (or was released). */
  releaseResident(array: Float32Array): boolean {
    if (!this.buffers.has(array.buffer)) return false;
    const at = this.blocks.findIndex((block) => block.address === array.byteOffset && !block.free);
    if (at < 0) return false;
    this.blocks[at].free = true;
    // Merge free neighbours, then give a free tail back to the scratch stack.
    for (let i = this.blocks.length - 1; i > 0; i--) {
      const [left, right] = [this.blocks[i - 1], this.blocks[i]];
      if (left.free && right.free) {
        left.bytes += right.bytes;
        this.blocks.splice(i, 1);
      }
    }
    const last = this.blocks.at(-1);
    if (last?.free) {
      this.blocks.pop();
      this.base = this.top = last.address;
    }
    return true;
  }

  /** The byte address of `data` when it lies inside the resident region, else undefined. */
  residentAddress(data: Float32Array): number | undefined {
    if (!this.buffers.has(data.buffer)) return undefined;
    const start = data.byteOffset;
    return start >= this.heapBase && start + data.byteLength <= this.base ? start : undefined;
  }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const pages = Math.ceil((end - have) / WASM_PAGE_BYTES);
    if (have / WASM_PAGE_BYTES + pages > WASM_MAX_PAGES) {
      throw new RangeError(
        `kernels: this problem needs ${Math.ceil(end / 2 ** 20)} MiB of WebAssembly memory, over the 4 GiB limit`,
      );
    }
    this.memory.grow(pages);
  }
}

function alignUp(bytes: number): number {
  return Math.ceil(bytes / ALIGN) * ALIGN;
}
