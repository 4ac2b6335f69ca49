/** A function that runs the tasks given to it one after another, in call order. */
export type SerialQueue = <T>(task: () => Promise<T>) => Promise<T>;

/**
 * Runs tasks one after another in call order; a failed task rejects its own caller only and does not block
 * the ones behind it. For writers of one file: two saves never interleave, and the last one wins.
 */
export function createSerialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task);
    tail = run.catch(() => undefined);
    return run;
  };
}
