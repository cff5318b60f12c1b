// Secrets in a hook's `env` (names containing TOKEN, SECRET, PASSWORD or KEY,
// in any case) never reach a log line or a dry run: they show as ***.
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|KEY/i;

export const MASK = '***';

// Shorter values are not searched for in log lines: masking every "1" or
// "yes" would wreck the logs and hide nothing worth hiding.
export const MIN_SEARCHED_SECRET_LENGTH = 4;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

// A copy of `env` with the values of the given names masked when they look secret.
export function maskSecrets(env: Readonly<Record<string, string>>, names: Iterable<string> = Object.keys(env)): Record<string, string> {
  const masked: Record<string, string> = { ...env };
  for (const name of names) {
    if (isSecretName(name) && name in masked) masked[name] = MASK;
  }
  return masked;
}

// Every secret value hookd has seen in a config or in its own environment,
// for the whole life of the process: a hook started before a reload may still
// print the old token. Logging masks them in every line, whoever logs.
const knownSecrets = new Set<string>();
let secretPattern: RegExp | undefined;

// Remembers the values of the secret-named variables of `env`.
export function rememberSecrets(env: Readonly<Record<string, string | undefined>>): void {
  let added = false;
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value.length < MIN_SEARCHED_SECRET_LENGTH || !isSecretName(name)) continue;
    // A log line is JSON first: a value with quotes or backslashes appears escaped there.
    for (const form of [value, JSON.stringify(value).slice(1, -1)]) {
      if (!knownSecrets.has(form)) {
        knownSecrets.add(form);
        added = true;
      }
    }
  }
  if (added) secretPattern = undefined;
}

// Remembers the secrets of every hook of a config (its `env`, defaults merged).
export function rememberHookSecrets(hooks: readonly { readonly env: Readonly<Record<string, string>> }[]): void {
  for (const hook of hooks) rememberSecrets(hook.env);
}

// `text` with every known secret value replaced by ***.
export function redactSecrets(text: string): string {
  if (knownSecrets.size === 0) return text;
  secretPattern ??= new RegExp(
    [...knownSecrets]
      .sort((a, b) => b.length - a.length) // the longest first, so no tail of a secret survives
      .map((value) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('|'),
    'g',
  );
  return text.replace(secretPattern, MASK);
}
