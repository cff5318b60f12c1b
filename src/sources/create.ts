// A Source for each `sources:` entry of the config.
import type { Readable } from 'node:stream';
import type { HookSpec, NatsSourceSpec, SourceSpec } from '../config/types.js';
import { HookdError } from '../errors.js';
import { ClnIndexSource, followedTopics } from './cln/index-source.js';
import { BitcoindSource } from './bitcoind/bitcoind-source.js';
import { FileSource } from './file.js';
import { HttpSource } from './http/http-source.js';
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
  // The config's hooks (a cln source follows what they can match).
  readonly hooks?: readonly HookSpec[];
  // In plugin mode, the node's own RPC socket (for `- cln: {}`).
  readonly clnRpc?: string | undefined;
  // Makes a nats source on the connection of the config's nats: section
  // (loaded only then: the NATS client is large).
  readonly natsSource?: ((spec: NatsSourceSpec) => Source) | undefined;
}

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
    case 'http':
      return new HttpSource(spec);
    case 'cln': {
      const rpcPath = spec.rpc ?? context.clnRpc;
      if (rpcPath === undefined) throw new HookdError('E_CONFIG', "sources: a cln source without rpc finds the node's socket only in plugin mode; give rpc: /path/to/lightning-rpc");
      return new ClnIndexSource({ rpcPath, from: spec.from, state: context.state ?? false, topics: followedTopics(context.hooks ?? []) });
    }
    case 'bitcoind':
      return new BitcoindSource(spec, context.state ?? false);
    case 'nats':
      if (context.natsSource === undefined) throw new HookdError('E_INTERNAL', 'a nats source without a NATS connection');
      return context.natsSource(spec);
  }
}
