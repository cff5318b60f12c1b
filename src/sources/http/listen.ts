// Listening and closing for hookd's HTTP servers (the http source, /metrics):
// TCP, or a unix socket taken like the socket source's (a stale file from a
// crash replaced, created private, then given its mode, removed at stop).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatListenAddress, type ListenAddress } from '../../config/listen-address.js';
import { HookdError } from '../../errors.js';
import { claimSocketPath, listenPrivately, removeSocketFile } from '../socket-path.js';

export class HttpListener {
  private inode: number | undefined;
  private readonly removeOnExit = (): void => this.removeSocket();
  // The address listened on (port 0 becomes the port chosen).
  address: ListenAddress;

  constructor(
    private readonly server: Server,
    configured: ListenAddress,
  ) {
    this.address = configured;
  }

  // Resolves once listening; true when a stale socket file was replaced.
  async listen(): Promise<boolean> {
    const address = this.address;
    if (address.kind === 'unix') {
      const replaced = await claimSocketPath(address.path);
      this.inode = await listenPrivately(this.server, address.path, address.mode);
      // Even an exit at once (second SIGINT) leaves no socket file behind.
      process.on('exit', this.removeOnExit);
      return replaced;
    }
    await listenTcp(this.server, address);
    this.address = { ...address, port: (this.server.address() as AddressInfo).port };
    return false;
  }

  // Stop taking connections; requests under way get `graceMs` to finish.
  async close(graceMs: number): Promise<void> {
    if (this.server.listening) {
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      this.server.closeIdleConnections();
      const timer = setTimeout(() => this.server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
    }
    this.removeSocket();
    process.off('exit', this.removeOnExit);
  }

  private removeSocket(): void {
    if (this.address.kind === 'unix' && this.inode !== undefined) removeSocketFile(this.address.path, this.inode);
  }
}

function listenTcp(server: Server, address: ListenAddress & { kind: 'tcp' }): Promise<void> {
  const shown = formatListenAddress(address);
  return new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      if (error.code === 'EADDRINUSE') reject(new HookdError('E_SOCKET_IN_USE', `${shown} is in use by another process`));
      else reject(new HookdError('E_CONFIG', `cannot listen on ${shown}: ${error.code ?? error.message}`));
    };
    server.once('error', onError);
    server.listen(address.port, address.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
