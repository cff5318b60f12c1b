// The framed protocol between hookd and hookd-spawner (native/spawner.c, where
// it is described in full): every frame is u32 length | u8 type | u32 run id |
// payload, little-endian, the length counting everything after itself.
import { constants } from 'node:os';

export const PROTOCOL_VERSION = 1;
// Header bytes before a payload: length, type, run id.
export const HEADER_BYTES = 9;
// The spawner refuses longer frames; a run that would need one fails with E2BIG.
export const MAX_FRAME_BYTES = 1024 * 1024 * 1024;

export const RequestType = { spawn: 1, release: 2 } as const;
export const EventType = { hello: 0x80, spawned: 0x81, failed: 0x82, stdout: 0x83, stderr: 0x84, exit: 0x85, closed: 0x86 } as const;
export type EventTypeName = keyof typeof EventType;

export interface SpawnFrame {
  // What to execute: a path, or a name searched in the child's own PATH.
  readonly file: string;
  // argv[0] first, as the program will see it.
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string | undefined;
  // Written to the child's stdin, which is then closed.
  readonly input: Buffer;
}

// Node refuses NUL bytes in argv and env the same way; exec() would cut them.
function checkString(value: string, what: string): void {
  if (value.includes('\0')) throw new TypeError(`The argument '${what}' must be a string without null bytes`);
}

export function encodeSpawn(id: number, frame: SpawnFrame): Buffer {
  const strings: string[] = [frame.file, frame.cwd ?? ''];
  checkString(frame.file, 'file');
  checkString(frame.cwd ?? '', 'options.cwd');
  frame.argv.forEach((arg, index) => {
    checkString(arg, `args[${index}]`);
    strings.push(arg);
  });
  let envCount = 0;
  for (const name in frame.env) {
    const value = frame.env[name];
    if (value === undefined) continue;
    const entry = `${name}=${value}`;
    checkString(entry, 'options.env');
    strings.push(entry);
    envCount++;
  }
  const text = `${strings.join('\0')}\0`;
  const textBytes = Buffer.byteLength(text);
  const payloadBytes = 12 + frame.input.length + textBytes;
  if (payloadBytes + 5 > MAX_FRAME_BYTES) throw Object.assign(new Error('spawn request too large for hookd-spawner'), { code: 'E2BIG' });
  const buffer = Buffer.allocUnsafe(HEADER_BYTES + payloadBytes);
  writeHeader(buffer, RequestType.spawn, id, payloadBytes);
  buffer.writeUInt32LE(frame.argv.length, 9);
  buffer.writeUInt32LE(envCount, 13);
  buffer.writeUInt32LE(frame.input.length, 17);
  frame.input.copy(buffer, 21);
  buffer.write(text, 21 + frame.input.length, 'utf8');
  return buffer;
}

export function encodeRelease(id: number): Buffer {
  const buffer = Buffer.allocUnsafe(HEADER_BYTES);
  writeHeader(buffer, RequestType.release, id, 0);
  return buffer;
}

// Frames the spawner sends, built here for tests of the decoder.
export function encodeEvent(type: number, id: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const buffer = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  writeHeader(buffer, type, id, payload.length);
  payload.copy(buffer, HEADER_BYTES);
  return buffer;
}

function writeHeader(buffer: Buffer, type: number, id: number, payloadBytes: number): void {
  buffer.writeUInt32LE(payloadBytes + 5, 0);
  buffer.writeUInt8(type, 4);
  buffer.writeUInt32LE(id, 5);
}

export type FrameHandler = (type: number, id: number, payload: Buffer) => void;

// Cuts a byte stream into frames, whatever the chunk boundaries. Payloads are
// views into the chunks read (no copy).
export class FrameDecoder {
  private pending: Buffer | undefined;

  constructor(private readonly onFrame: FrameHandler) {}

  push(chunk: Buffer): void {
    let data = this.pending === undefined ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = undefined;
    let offset = 0;
    while (data.length - offset >= 4) {
      const length = data.readUInt32LE(offset);
      if (length < 5 || length > MAX_FRAME_BYTES) throw new Error(`bad frame length ${length} from hookd-spawner`);
      if (data.length - offset - 4 < length) break;
      this.onFrame(data.readUInt8(offset + 4), data.readUInt32LE(offset + 5), data.subarray(offset + HEADER_BYTES, offset + 4 + length));
      offset += 4 + length;
    }
    if (offset < data.length) {
      data = data.subarray(offset);
      this.pending = data;
    }
  }

  // Bytes of an unfinished frame still held.
  get pendingBytes(): number {
    return this.pending?.length ?? 0;
  }
}

// Number to name; of two names for one number (EAGAIN, EWOULDBLOCK) the first, as Node says.
function byNumber<Name extends string>(table: Readonly<Record<string, number>>): Map<number, Name> {
  const names = new Map<number, Name>();
  for (const [name, number] of Object.entries(table)) if (!names.has(number)) names.set(number, name as Name);
  return names;
}
const errnoNames = byNumber<string>(constants.errno);
const signalNames = byNumber<NodeJS.Signals>(constants.signals);

// "ENOENT" for 2, as Node's spawn errors name it.
export function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `errno ${errno}`;
}

export function signalName(signal: number): NodeJS.Signals | null {
  return signal === 0 ? null : (signalNames.get(signal) ?? null);
}
