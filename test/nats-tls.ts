// Throwaway certificates for TLS tests, made with openssl at test time: a CA,
// a server certificate for 127.0.0.1 signed by it, a client certificate
// signed by it, and a second CA that signed neither. EC keys: quick to make.
// Tests needing them skip with a visible reason when openssl is absent, and
// fail when CI=true (.ci/run installs it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { tempDir, writeFile } from './helpers.ts';

const OPENSSL = 'openssl';

export function requireOpenssl(t: TestContext): boolean {
  if (spawnSync(OPENSSL, ['version']).error === undefined) return true;
  const reason = 'openssl is not installed (Debian package openssl): the NATS TLS test did not run';
  if (process.env.CI === 'true') assert.fail(`${reason}, and CI must run it`);
  t.skip(reason);
  return false;
}

export interface KeyAndCert {
  readonly cert: string;
  readonly key: string;
}

export interface TlsFiles {
  readonly ca: KeyAndCert;
  readonly server: KeyAndCert;
  readonly client: KeyAndCert;
  // Signed by the CA, but for localhost and another address, not 127.0.0.1.
  readonly elsewhere: KeyAndCert;
  // A CA that signed nothing here: trusting it alone, the server is unknown.
  readonly otherCa: KeyAndCert;
}

function openssl(args: readonly string[]): void {
  const result = spawnSync(OPENSSL, args, { encoding: 'utf8' });
  assert.equal(result.status, 0, `openssl ${args[0]} failed: ${result.stderr}`);
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function makeCa(dir: string, name: string): KeyAndCert {
  const files = { cert: path.join(dir, `${name}.pem`), key: path.join(dir, `${name}.key`) };
  openssl(['req', '-x509', ...EC_KEY, '-keyout', files.key, '-out', files.cert, '-days', '1', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  return files;
}

// A certificate signed by `ca`, with the given X.509 v3 extensions.
function makeSigned(dir: string, name: string, ca: KeyAndCert, extensions: string): KeyAndCert {
  const files = { cert: path.join(dir, `${name}.pem`), key: path.join(dir, `${name}.key`) };
  const csr = path.join(dir, `${name}.csr`);
  openssl(['req', '-new', ...EC_KEY, '-keyout', files.key, '-out', csr, '-subj', `/CN=${name}`]);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', `0x${randomBytes(8).toString('hex')}`,
    '-days', '1', '-out', files.cert, '-extfile', writeFile(dir, `${name}.ext`, extensions)]);
  return files;
}

// The certificates in a temp folder removed when the test ends.
export function makeTlsFiles(t: TestContext): TlsFiles {
  const dir = tempDir(t, 'hookd-tls-');
  const ca = makeCa(dir, 'hookd-test-ca');
  return {
    ca,
    server: makeSigned(dir, 'server', ca, 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'),
    client: makeSigned(dir, 'client', ca, 'extendedKeyUsage=clientAuth\n'),
    elsewhere: makeSigned(dir, 'elsewhere', ca, 'subjectAltName=DNS:localhost,IP:10.9.9.9\nextendedKeyUsage=serverAuth\n'),
    otherCa: makeCa(dir, 'other-ca'),
  };
}

// nats-server's options for TLS with these files; `verify` asks clients for a certificate.
export function tlsServerArgs(files: TlsFiles, { verify, server = files.server }: { verify: boolean; server?: KeyAndCert }): string[] {
  return [verify ? '--tlsverify' : '--tls', '--tlscert', server.cert, '--tlskey', server.key, '--tlscacert', files.ca.cert];
}

// Fails when `text` holds any line of a private key file.
export function assertNoKeyMaterial(text: string, files: TlsFiles): void {
  assert.doesNotMatch(text, /PRIVATE KEY/);
  for (const { key } of [files.ca, files.server, files.client]) {
    for (const line of readFileSync(key, 'utf8').split('\n').filter((line) => line.length > 16 && !line.startsWith('-----'))) {
      assert.ok(!text.includes(line), `key material of ${key} in: ${text}`);
    }
  }
}
