// stdin as a source: JSON lines until EOF. Reading waits for each chunk's
// events to be accepted, so a fast producer is slowed to the pace of the queue;
// a chunk whose events no hook wants is done without waiting.
import { fstatSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { EventError, finishEvent, type EventDraft, type EventShape } from '../event.js';
import { draftFromLine, draftFromText, LineSplitter } from './lines.js';
import type { EventSink, Source } from './source.js';

export class StreamSource implements Source {
  readonly finite = true;
  readonly ended: Promise<void>;
  private endResolve!: () => void;
  private stopped = false;
  private lines = 0;
  private accepted = 0;
  private rejected = 0;

  constructor(
    private readonly input: Readable = process.stdin,
    readonly name = 'stdin',
  ) {
    this.ended = new Promise((resolve) => (this.endResolve = resolve));
  }

  async start(sink: EventSink): Promise<void> {
    if (this.input === process.stdin && stdinIsDevNull()) {
      sink.log.warn({ source: this.name }, 'stdin is /dev/null (as under systemd): this source ends at once; list a socket, file or inbox source to keep hookd running');
    }
    void this.read(sink).finally(() => this.endResolve());
  }

  private async read(sink: EventSink): Promise<void> {
    const splitter = new LineSplitter(sink.maxEventBytes);
    try {
      for await (const chunk of this.input) {
        // The lines of a chunk are taken together (in order), so that the
        // durable queue stores them with one fsync; the next chunk waits.
        const storing: Promise<void>[] = [];
        const shape = sink.shape;
        splitter.eachText(
          chunk as Buffer,
          (number, text) => this.take(number, draftFromText(text, number, shape), shape, sink, storing),
          (item) => this.take(item.number, draftFromLine(item, shape, sink.maxEventBytes), shape, sink, storing),
        );
        if (storing.length > 0) await Promise.all(storing);
        if (this.stopped) return;
      }
      const storing: Promise<void>[] = [];
      const shape = sink.shape;
      for (const item of splitter.end()) this.take(item.number, draftFromLine(item, shape, sink.maxEventBytes), shape, sink, storing);
      await Promise.all(storing);
    } catch (error) {
      if (!this.stopped) sink.log.error({ source: this.name, error: (error as Error).message }, 'cannot read the source');
    }
  }

  // Handles line `number` at once, up to handing its event to the queue
  // (added to `storing`): an event that no hook wants ends here, with no id,
  // exact parse or promise. `shape` is read once per chunk (the sink builds it
  // anew on each read, from the config of the moment).
  private take(number: number, draft: EventDraft | EventError | undefined, shape: EventShape, sink: EventSink, storing: Promise<void>[]): void {
    if (this.stopped) return;
    this.lines = number;
    if (draft === undefined) return;
    if (draft instanceof EventError) {
      this.rejected++;
      sink.log.warn({ source: this.name, line: number }, `line ${number} skipped: ${draft.message}`);
    } else if (!sink.admit(draft.type, this.name)) {
      this.accepted++;
    } else {
      storing.push(sink.accept(finishEvent(draft, shape, this.name)).then(() => void this.accepted++));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // Let go of the stream: an open stdin would keep a stopped hookd alive.
    this.input.destroy();
    this.endResolve();
  }

  status(): Record<string, unknown> {
    return { lines: this.lines, accepted: this.accepted, rejected: this.rejected };
  }
}

// systemd, cron and `< /dev/null` give a daemon nothing to read.
function stdinIsDevNull(): boolean {
  try {
    const stdin = fstatSync(0);
    return stdin.isCharacterDevice() && stdin.rdev === statSync('/dev/null').rdev;
  } catch {
    return false;
  }
}
