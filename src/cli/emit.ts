// `hookd emit`: not built yet.
import { HookdError } from '../errors.js';

export const HELP = 'hookd emit: not available yet\n';

export async function command(): Promise<number> {
  throw new HookdError('E_USAGE', 'hookd emit is not available yet');
}
