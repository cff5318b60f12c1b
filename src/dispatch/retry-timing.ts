// When a failed run is tried again, and waiting for it without holding up a
// shutdown.
import type { HookSpec } from '../config/types.js';

// backoff × 2^(attempt-1) with ±20% jitter, so that the retries of a burst do
// not all fire at the same instant; never longer than max_backoff.
export function retryDelay(spec: Pick<HookSpec, 'backoffMs' | 'maxBackoffMs'>, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(spec.backoffMs * 2 ** (attempt - 1), spec.maxBackoffMs);
  return Math.min(Math.round(base * (0.8 + 0.4 * random())), spec.maxBackoffMs);
}

// Resolves true after `ms`, or false at once when `signal` aborts.
export function delay(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
