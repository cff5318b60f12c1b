// A Source for each `sources:` entry of the config.
import type { Readable } from 'node:stream';
import type { NatsSourceSpec, SourceSpec } from '../config/types.js';
import { HookdError } from '../errors.js';
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
  // Makes a nats source on the connection of the config's nats: section
  // (loaded only then: the NATS client is large).
  readonly natsSource?: ((spec: NatsSourceSpec) => Source) | undefined;
}

// The key that identifies a source across reloads.
export { sourceKey } from '../config/sources.js';

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
    case 'nats':
      if (context.natsSource === undefined) throw new HookdError('E_INTERNAL', 'a nats source without a NATS connection');
      return context.natsSource(spec);
  }
}
