/**
 * The few members of a dedicated worker's global scope that the lab's workers use. The project is
 * type-checked with the DOM library, whose `self` is a Window; the WebWorker library cannot be loaded
 * beside it, so the workers see `self` through this interface.
 */
export interface WorkerScope<In, Out> {
  postMessage(message: Out, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<In>) => void) | null;
}

export function workerScope<In, Out>(): WorkerScope<In, Out> {
  return self as unknown as WorkerScope<In, Out>;
}
