// A Source for each `sources:` entry of the config.
import type { Readable } from 'node:stream';
import { sourceIdentity } from '../config/sources.js';
import type { SourceSpec } from '../config/types.js';
import { BitcoindSource } from './bitcoind/source.js';
import { FileSource } from './file.js';
import { InboxSource } from './inbox.js';
import type { ControlChannel } from './control-line.js';
import { SocketSource } from './socket.js';
import type { Source } from './source.js';
import { StreamSource } from './stdin.js';

export interface SourceContext {
  readonly stdin?: Readable | undefined;
  // The state folder (file positions), or false: memory only.
  readonly state?: string | false;
  // Answers control requests on sockets (hookd status, ...).
  readonly control?: ControlChannel | undefined;
}

// The key that identifies a source across reloads.
export function sourceKey(spec: SourceSpec): string {
  return sourceIdentity(spec);
}

export function createSource(spec: SourceSpec, context: SourceContext = {}): Source {
  switch (spec.kind) {
    case 'stdin':
      return new StreamSource(context.stdin ?? process.stdin);
    case 'file':
      return new FileSource({ path: spec.path, from: spec.from, state: context.state ?? false });
    case 'socket':
      return new SocketSource({ path: spec.path, mode: spec.mode, control: context.control });
    case 'inbox':
      return new InboxSource(spec.dir);
    case 'bitcoind':
      return new BitcoindSource(spec, context.state ?? false);
  }
}
