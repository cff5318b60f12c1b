// `hookd cln-plugin`: not built yet.
import { HookdError } from '../errors.js';

export const HELP = 'hookd cln-plugin: not available yet\n';

export async function command(): Promise<number> {
  throw new HookdError('E_USAGE', 'hookd cln-plugin is not available yet');
}
