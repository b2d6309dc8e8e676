// Kernel entry points. Placeholder dispatch to the reference kernels until the WebAssembly kernels land.
export { type MatmulOptions, matmulReference as matmul } from './reference.js';
