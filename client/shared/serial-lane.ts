/**
 * Runs async tasks one at a time, in the order they were submitted. A task that fails does not stop
 * the ones after it; its caller gets the error.
 */
export class SerialLane {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
