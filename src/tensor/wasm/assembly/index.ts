// The fast backend's WebAssembly module: the GEMM (gemm.ts) and the fused cell kernels (cells.ts).
export { packNN, packNT, gemm, sumRowsAcc, heapBase } from './gemm';
export { lstmForward, lstmBackward, gruForward, gruBackward, rnnForward, rnnBackward, addInto } from './cells';
