// A Source for each `sources:` entry of the config.
import type { Readable } from 'node:stream';
import type { SourceSpec } from '../config/types.js';
import { HookdError } from '../errors.js';
import type { Source } from './source.js';
import { StreamSource } from './stdin.js';

export interface SourceContext {
  readonly stdin?: Readable | undefined;
}

// The key that identifies a source across reloads.
export function sourceKey(spec: SourceSpec): string {
  switch (spec.kind) {
    case 'stdin':
      return 'stdin';
    case 'inbox':
      return `inbox:${spec.dir}`;
    default:
      return `${spec.kind}:${spec.path}`;
  }
}

export function createSource(spec: SourceSpec, context: SourceContext = {}): Source {
  switch (spec.kind) {
    case 'stdin':
      return new StreamSource(context.stdin ?? process.stdin);
    default:
      throw new HookdError('E_CONFIG', `source ${spec.kind} is not available yet`);
  }
}
