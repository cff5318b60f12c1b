// A reading pass that a chokidar watcher wakes, with a slow poll as a safety
// net for missed events and timed retries; passes never overlap (see
// CoalescedTask). Shared by the file and inbox sources.
import { watch, type ChokidarOptions, type FSWatcher } from 'chokidar';
import { CoalescedTask } from '../coalesced-task.js';

// A safety net for missed watcher events.
export const POLL_MS = 1000;

export class WatchedTask {
  private readonly task: CoalescedTask;
  private watcher: FSWatcher | undefined;
  private poll: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    pass: () => Promise<void>,
    private readonly onError: (message: string, error: unknown) => void,
  ) {
    this.task = new CoalescedTask(pass, (error) => onError('reading failed', error));
  }

  // Watch `target`; resolves once the watch is in place. `raw`: also wake on
  // chokidar's raw events (its 'change' skips writes within one mtime tick).
  async watch(target: string, options: ChokidarOptions, raw = false): Promise<void> {
    const watcher = watch(target, { ...options, ignoreInitial: true, persistent: true });
    this.watcher = watcher;
    watcher.on('all', () => this.wake());
    if (raw) watcher.on('raw', () => this.wake());
    watcher.on('error', (error) => this.onError('watching failed', error));
    await new Promise<void>((resolve) => watcher.once('ready', resolve));
  }

  // Start polling and run a first pass.
  begin(): void {
    this.poll = setInterval(() => this.wake(), POLL_MS).unref();
    this.wake();
  }

  wake(): void {
    if (!this.stopped) this.task.wake();
  }

  // One more pass after `ms` (a retry, or a rotation settling).
  wakeIn(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => this.wake(), ms).unref();
  }

  // No more passes; resolves once the one running (if any) is over.
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.poll);
    clearTimeout(this.retry);
    await this.watcher?.close();
    await this.task.idle();
  }
}

