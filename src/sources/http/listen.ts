// Listening and closing for hookd's HTTP servers (the http source, /metrics).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HookdError } from '../../errors.js';
import { formatListenAddress, type ListenAddress } from '../../config/listen-address.js';

// Listen on a TCP address; resolves with the address as listened on (port 0
// becomes the port chosen).
export async function listenHttp(server: Server, address: ListenAddress): Promise<ListenAddress> {
  const shown = formatListenAddress(address);
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      if (error.code === 'EADDRINUSE') reject(new HookdError('E_SOCKET_IN_USE', `${shown} is in use by another process`));
      else reject(new HookdError('E_CONFIG', `cannot listen on ${shown}: ${error.code ?? error.message}`));
    };
    server.once('error', onError);
    const listening = (): void => {
      server.off('error', onError);
      resolve();
    };
    if (address.kind === 'tcp') server.listen(address.port, address.host, listening);
    else server.listen(address.path, listening);
  });
  if (address.kind !== 'tcp') return address;
  return { ...address, port: (server.address() as AddressInfo).port };
}

// Stop taking connections; requests under way get `graceMs` to finish.
export async function closeHttp(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearTimeout(timer);
}
