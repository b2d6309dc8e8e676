// Entry point of the kernels module (see src/engine/kernels/wasm-kernels.ts for the calling side). Memory is
// imported and shared by the main thread and the worker threads; the caller lays out every buffer above
// heapBase(), so the module never allocates. Every kernel ends with (tid, threads): see threads.ts.
export { columnOrderStatistics, columnScratchBytes, rowSquaredDistancesTo } from './columns';
export { col2im, im2col } from './conv';
export { gemm, gemmScratchBytes, mirrorUpper } from './gemm';
export { centredGramChunks, columnMeans } from './gram';
export { smallestK } from './select';
export {
  columnChunkSums,
  distancesFromGram,
  matvec,
  matvecTransposed,
  rowSquaredNorms,
  scatterTimesBlock,
  subtractRow,
  sumChunks,
} from './vector';

/** The first byte the caller may use for its own buffers. */
export function heapBase(): usize {
  return __heap_base;
}
