// The fast backend's WebAssembly module: the GEMM (gemm.ts) and the fused cell kernels (cells.ts).
export { packNN, packNT, gemm, gemv, sumRowsAcc, heapBase, WORK_FLOATS } from './gemm';
export { lstmForward, lstmBackward, gruForward, gruBackward, rnnForward, rnnBackward, addRows } from './cells';
