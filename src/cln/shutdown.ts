// Leaving within lightningd's grace period: after `shutdown` lightningd kills
// a plugin that is still there 30 s later. hookd lets queued notifications run
// for up to shutdown_timeout (at most MAX_PHASE_MS; the daemon finishes the
// queue by itself when the plugin is its only source), then stops taking work
// and gives running hooks shutdown_timeout again (capped alike) before ending
// their process groups; it gives up at GIVE_UP_MS whatever happens.
export interface ShutdownSteps {
  // Stop the daemon (running hooks finish or are killed).
  stop(): Promise<void>;
  // Whether notification work is still queued or running.
  busy(): boolean;
  // The last resort: exit now.
  giveUp(): void;
}

const IDLE_POLL_MS = 50;

export class ShutdownPlan {
  static readonly MAX_PHASE_MS = 10_000;
  static readonly GIVE_UP_MS = 27_000;
  private readonly timers: NodeJS.Timeout[] = [];
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly steps: ShutdownSteps,
    // How long queued work may go on before hookd stops taking it.
    private readonly drainMs: number,
  ) {}

  begin(): void {
    let idlePolls = 0;
    const poll = setInterval(() => {
      // Idle twice in a row: nothing was in flight between queue and dispatcher.
      idlePolls = this.steps.busy() ? 0 : idlePolls + 1;
      if (idlePolls >= 2) this.stop();
    }, IDLE_POLL_MS);
    this.timers.push(poll);
    this.timers.push(setTimeout(() => this.stop(), Math.min(this.drainMs, ShutdownPlan.MAX_PHASE_MS)));
    const giveUp = setTimeout(() => this.steps.giveUp(), ShutdownPlan.GIVE_UP_MS);
    giveUp.unref();
    this.timers.push(giveUp);
  }

  cancel(): void {
    for (const timer of this.timers) clearTimeout(timer);
  }

  private stop(): void {
    for (const timer of this.timers.splice(0, 2)) clearTimeout(timer);
    this.stopping ??= this.steps.stop().catch(() => this.steps.giveUp());
  }
}
