// A task that watcher events wake: never two runs at once, and wake-ups that
// arrive during a run fold into one more run, so a burst of change events
// costs one pass and no change is missed.
export class CoalescedTask {
  private running = false;
  private again = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly task: () => Promise<void>,
    // A failed run is reported here; the next wake-up tries again.
    private readonly onError: (error: unknown) => void,
  ) {}

  wake(): void {
    this.again = true;
    if (!this.running) void this.loop();
  }

  // Resolves once no run is in progress.
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async loop(): Promise<void> {
    this.running = true;
    while (this.again) {
      this.again = false;
      try {
        await this.task();
      } catch (error) {
        this.onError(error);
      }
    }
    this.running = false;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
