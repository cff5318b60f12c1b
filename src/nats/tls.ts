// TLS of the NATS connection: the files of `nats.tls`, and the server's
// certificate checked against the address hookd connected to.
import type { Socket } from 'node:net';
import { checkServerIdentity, type ConnectionOptions as TlsConnectOptions, type PeerCertificate } from 'node:tls';
import type { TlsOptions } from '@nats-io/transport-node';

export interface NatsTlsFiles {
  // The CA that signed the server's certificate (else the system's).
  readonly ca?: string | undefined;
  // A client certificate and its key, for servers that verify clients.
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
}

// The client's TLS options; it reads the files itself at each connect.
export function natsTlsOptions(files: NatsTlsFiles): TlsOptions {
  // The client hands options it does not know on to Node's tls.connect.
  const options: TlsOptions & Pick<TlsConnectOptions, 'checkServerIdentity'> = {
    ...(files.ca !== undefined && { caFile: files.ca }),
    ...(files.cert !== undefined && { certFile: files.cert }),
    ...(files.key !== undefined && { keyFile: files.key }),
    checkServerIdentity: checkConnectedServer,
  };
  return options;
}

// For a server given by IP address the NATS client names no server to Node
// (nats.js issue 303), and Node then checks the certificate against
// "localhost": a certificate for 10.0.0.5 was refused at 10.0.0.5, and one for
// localhost accepted. Node calls this as a method of its connect options,
// which hold the socket: without a server name, the address connected to is
// the name to check.
function checkConnectedServer(this: TlsConnectOptions | undefined, hostname: string, cert: PeerCertificate): Error | undefined {
  const address = this?.servername ? undefined : (this?.socket as Socket | undefined)?.remoteAddress;
  return checkServerIdentity(address ?? hostname, cert);
}

// Node's codes for a server certificate signed by no CA that hookd trusts.
// (An expired one says so itself: "certificate has expired".)
const UNTRUSTED_SERVER = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
]);

// What went wrong with TLS at connect, said for the `nats.tls` keys; undefined
// for other errors. Node's messages name no file and hold no key material.
export function describeTlsError(error: unknown, files: NatsTlsFiles | undefined, timedOut: boolean): string | undefined {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const message = firstLine(cause instanceof Error ? cause.message : String(cause));
  if (code !== undefined && UNTRUSTED_SERVER.has(code)) {
    return `the server's TLS certificate is not trusted (${message}): nats.tls.ca must name the CA that signed it`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `the server's TLS certificate is for another name (${message}): it must name the address in nats.servers`;
  }
  if (code?.startsWith('ERR_OSSL_')) return `nats.tls: the certificate or key cannot be used (${message})`;
  // A server that verifies clients ends the connection of one without a
  // certificate after the handshake, and the client only sees no answer.
  if (timedOut && files !== undefined && files.cert === undefined) {
    return 'no answer in time; a server that verifies client certificates ends the connection of a client without one: set nats.tls.cert and nats.tls.key';
  }
  return undefined;
}

function firstLine(text: string): string {
  return text.trim().split('\n', 1)[0]!;
}
