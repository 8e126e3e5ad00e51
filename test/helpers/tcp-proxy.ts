import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a real server (PostgreSQL), for faults the server itself
 * cannot be asked for: every connection cut at once (a restart, a failover, a proxy), or a stall
 * (connections accepted, nothing answered) that can be lifted again.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly pairs = new Set<[Socket, Socket]>();
  private stalled = false;
  private readonly waiting: Array<() => void> = [];
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** The URL with its host and port replaced by the proxy's. */
  urlFor(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  get connections(): number {
    return this.pairs.size;
  }

  /** Cuts every connection, as a server restart does. New connections work. */
  killConnections(): void {
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  /** From now on nothing is forwarded either way, and new connections are accepted but left unanswered. */
  stall(): void {
    this.stalled = true;
    for (const [client, upstream] of this.pairs) {
      client.pause();
      upstream.pause();
    }
  }

  resume(): void {
    this.stalled = false;
    for (const [client, upstream] of this.pairs) {
      client.resume();
      upstream.resume();
    }
    for (const go of this.waiting.splice(0)) go();
  }

  async stop(): Promise<void> {
    this.killConnections();
    for (const go of this.waiting.splice(0)) go();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private accept(client: Socket): void {
    client.on('error', () => undefined);
    if (this.stalled) {
      client.pause();
      this.waiting.push(() => (client.destroyed ? undefined : this.forward(client)));
      return;
    }
    this.forward(client);
  }

  private forward(client: Socket): void {
    client.pause();
    const upstream = connect(this.targetPort, this.targetHost);
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    upstream.on('error', () => undefined);
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => client.write(chunk));
    if (!this.stalled) client.resume();
  }
}
