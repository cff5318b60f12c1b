// A counting semaphore with a FIFO of waiters: the global `concurrency`.
// Waiters are served in the order they asked, so no hook starves another.
export class Limiter {
  private active = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(private limit: number) {}

  get running(): number {
    return this.active;
  }

  // Resolves with a release function once a slot is free.
  async acquire(): Promise<() => void> {
    if (this.active < this.limit && this.waiters.length === 0) this.active++;
    else await new Promise<void>((resolve) => this.waiters.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.wake();
    };
  }

  // A reload may change the limit; running work is not touched.
  setLimit(limit: number): void {
    this.limit = limit;
    this.wake();
  }

  private wake(): void {
    while (this.active < this.limit && this.waiters.length > 0) {
      this.active++;
      (this.waiters.shift() as () => void)();
    }
  }
}
