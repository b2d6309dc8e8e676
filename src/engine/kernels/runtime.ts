import { availableParallelism } from 'node:os';
import { InputError } from '../../errors.js';
import type { Kernels } from './backend.js';
import { jsKernels } from './js-kernels.js';
import type { KernelBackend } from './types.js';
import { WasmKernels } from './wasm-kernels.js';
import { compileKernels, type WasmBackend, type WasmModule } from './wasm-module.js';

// Which kernels run, and on how many threads. The fastest backend this engine supports is chosen on first
// use; ANTIDOTE_KERNELS=js|wasm-simd|wasm-relaxed-simd or setBackend() overrides it.

const BACKENDS: readonly KernelBackend[] = ['wasm-relaxed-simd', 'wasm-simd', 'js'];
const compiled = new Map<WasmBackend, WasmModule | undefined>();
let threads = Math.max(1, availableParallelism());
let active: Kernels | undefined;

function moduleFor(backend: WasmBackend): WasmModule | undefined {
  if (!compiled.has(backend)) compiled.set(backend, compileKernels(backend));
  return compiled.get(backend);
}

function create(backend: KernelBackend): Kernels | undefined {
  if (backend === 'js') return jsKernels;
  const module = moduleFor(backend);
  return module === undefined ? undefined : new WasmKernels(module, backend, threads);
}

/** The kernels in use, chosen on first call. */
export function activeKernels(): Kernels {
  if (active === undefined) {
    const forced = process.env.ANTIDOTE_KERNELS;
    if (forced === undefined || forced === '') {
      active = BACKENDS.map(create).find((kernels) => kernels !== undefined);
    } else {
      try {
        setBackend(forced as KernelBackend);
      } catch (error) {
        throw new InputError((error as Error).message.replace(/^kernels: /, ''), {
          field: 'ANTIDOTE_KERNELS',
        });
      }
    }
  }
  return active as Kernels;
}

/** The backends this engine can run, fastest first. */
export function availableBackends(): KernelBackend[] {
  return BACKENDS.filter((backend) => backend === 'js' || moduleFor(backend) !== undefined);
}

/** Switches to `backend` (for tests, benchmarks, or working around a fault); throws if it cannot run here. */
export function setBackend(backend: KernelBackend): void {
  if (!BACKENDS.includes(backend)) {
    throw new RangeError(`kernels: unknown backend "${backend}"; expected one of ${BACKENDS.join(', ')}`);
  }
  if (active?.backend === backend) return;
  const next = create(backend);
  if (next === undefined)
    throw new RangeError(`kernels: backend "${backend}" is not supported by this JavaScript engine`);
  active?.dispose();
  active = next;
}

/** Splits large problems over `n` threads (1 = the calling thread only). Default: the available cores. */
export function setThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`setThreads: expected a positive integer, got ${n}`);
  threads = n;
  active?.setThreads(n);
}

/** The backend in use and how many threads it splits large problems over. */
export function kernelInfo(): { backend: KernelBackend; threads: number } {
  const kernels = activeKernels();
  return { backend: kernels.backend, threads: kernels.threads };
}
