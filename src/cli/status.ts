// `hookd status`: not built yet.
import { HookdError } from '../errors.js';

export const HELP = 'hookd status: not available yet\n';

export async function command(): Promise<number> {
  throw new HookdError('E_USAGE', 'hookd status is not available yet');
}
