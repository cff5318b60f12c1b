// A Source for each `sources:` entry of the config. Each kind's module is
// loaded when a source of that kind is made: a daemon carries in memory only
// the sources it has (http and bitcoind load node:http, for instance).
import type { Readable } from 'node:stream';
import type { HookSpec, NatsSourceSpec, SourceSpec } from '../config/types.js';
import { HookdError } from '../errors.js';
import type { ControlChannel } from './control-line.js';
import type { Source } from './source.js';

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

export async function createSource(spec: SourceSpec, context: SourceContext = {}): Promise<Source> {
  switch (spec.kind) {
    case 'stdin': {
      const { StreamSource } = await import('./stdin.js');
      return new StreamSource(context.stdin ?? process.stdin);
    }
    case 'file': {
      const { FileSource } = await import('./file.js');
      return new FileSource({ path: spec.path, from: spec.from, state: context.state ?? false });
    }
    case 'socket': {
      const { SocketSource } = await import('./socket.js');
      return new SocketSource({ path: spec.path, mode: spec.mode, control: context.control });
    }
    case 'inbox': {
      const { InboxSource } = await import('./inbox.js');
      return new InboxSource(spec.dir);
    }
    case 'http': {
      const { HttpSource } = await import('./http/http-source.js');
      return new HttpSource(spec);
    }
    case 'cln': {
      const rpcPath = spec.rpc ?? context.clnRpc;
      if (rpcPath === undefined) throw new HookdError('E_CONFIG', "sources: a cln source without rpc finds the node's socket only in plugin mode; give rpc: /path/to/lightning-rpc");
      const { ClnIndexSource, followedTopics } = await import('./cln/index-source.js');
      return new ClnIndexSource({ rpcPath, from: spec.from, state: context.state ?? false, topics: followedTopics(context.hooks ?? []) });
    }
    case 'bitcoind': {
      const { BitcoindSource } = await import('./bitcoind/bitcoind-source.js');
      return new BitcoindSource(spec, context.state ?? false);
    }
    case 'nats':
      if (context.natsSource === undefined) throw new HookdError('E_INTERNAL', 'a nats source without a NATS connection');
      return context.natsSource(spec);
  }
}
