// The fast backend's WebAssembly module: the GEMM (gemm.ts), the fused cell kernels (cells.ts), and
// whole sequences of small-batch forward steps (sequence.ts).
export { packNN, packNT, gemm, gemv, sumRowsAcc, heapBase, WORK_FLOATS } from './gemm';
export { lstmForward, lstmBackward, gruForward, gruBackward, rnnForward, rnnBackward, addRows, lstmCells } from './cells';
export { forwardSteps } from './sequence';
