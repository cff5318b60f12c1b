// What hookd writes to lightningd. stdout belongs to the protocol: lightningd
// kills a plugin that writes anything else there, so the plugin takes stdout
// over at start and sends any stray write (a library's console.log) to stderr.
import { stringifyJson, type JsonValue } from '../json.js';
import { frame } from '../lightningd/framing.js';

export type MessageWriter = (text: string) => void;

// Reserve stdout for protocol messages; returns the only writer left to it.
export function takeOverStdout(): { write: MessageWriter; drained: () => Promise<void> } {
  const stdout = process.stdout;
  const protocolWrite = stdout.write.bind(stdout) as (chunk: string, callback?: () => void) => boolean;
  const stray = ((chunk: unknown, ...rest: unknown[]) => (process.stderr.write as (...args: unknown[]) => boolean)(chunk, ...rest)) as typeof stdout.write;
  stdout.write = stray;
  stdout.on('error', () => {}); // lightningd gone: nothing left to tell it
  return {
    write: (text) => void protocolWrite(text),
    drained: () => new Promise((resolve) => {
      if (stdout.writableLength === 0) resolve();
      else protocolWrite('', () => resolve());
    }),
  };
}

// Writes JSON-RPC messages, each followed by a blank line. Log notifications
// wait until the manifest has gone out (lightningd expects its answer first).
export class ProtocolOutput {
  private held: string[] | undefined = [];
  // Bound of held log lines before the manifest: the oldest are dropped.
  private static readonly MAX_HELD = 1000;

  constructor(private readonly write: MessageWriter) {}

  reply(id: JsonValue, result: JsonValue): void {
    this.emit(stringifyJson({ jsonrpc: '2.0', id, result }));
  }

  error(id: JsonValue, code: number, message: string): void {
    this.emit(stringifyJson({ jsonrpc: '2.0', id, error: { code, message } }));
  }

  // A notification to lightningd (log lines).
  notify(message: Record<string, unknown>): void {
    const text = frame(JSON.stringify(message));
    if (this.held === undefined) this.write(text);
    else {
      this.held.push(text);
      if (this.held.length > ProtocolOutput.MAX_HELD) this.held.shift();
    }
  }

  // The manifest is out: send what waited.
  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const text of held) this.write(text);
  }

  private emit(json: string): void {
    this.write(frame(json));
  }
}
