// Hostile HTTP clients for the gateway's load tests: slow connections that trickle their headers
// or their body a byte at a time (slow-loris, slow POST), and a flood of bodies larger than the
// gateway's body limit, with and without a declared length. Each is bounded: a trickle writes one
// byte per tick until the server closes it or it is stopped, a flood request sends at most
// FLOOD_BYTES_MAX.

import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';

const TRICKLE_TICK_MS = 1_000;
const FLOOD_CHUNK = Buffer.alloc(65_536, 'a');
// Far above httpBodyBytesMax: a gateway that read such a body whole would show it in its memory.
const FLOOD_BYTES_MAX = 32 * 1_048_576;
const CONNECT_BATCH = 100;

export type TrickleKind = 'headers' | 'body';

export interface TrickleConnection {
  readonly kind: TrickleKind;
  readonly openedMs: number;
  /** When the server ended the connection (Date.now()), undefined while it is open. */
  closedMs?: number;
}

function openTrickle(port: number, path: string, kind: TrickleKind): Promise<{ socket: Socket; connection: TrickleConnection }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const connection: TrickleConnection = { kind, openedMs: Date.now() };
    let connected = false;
    socket.once('connect', () => {
      connected = true;
      // Headers never finished; or complete headers promising a body that comes a byte a tick.
      socket.write(kind === 'headers'
        ? `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml; charset=utf-8\r\nX-Slow: `
        : `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: 65536\r\n\r\n<`);
      resolve({ socket, connection });
    });
    // Before the connection: a failure to open; after it: a reset by the server, which is expected.
    socket.on('error', (error) => { if (!connected) reject(error); });
    socket.once('close', () => { connection.closedMs = Date.now(); });
  });
}

export class Trickle {
  readonly connections: TrickleConnection[] = [];
  private readonly sockets: Socket[] = [];
  private readonly timer: NodeJS.Timeout;

  private constructor() {
    this.timer = setInterval(() => {
      for (const socket of this.sockets) if (!socket.destroyed && socket.writable) socket.write('a');
    }, TRICKLE_TICK_MS);
  }

  /** Opens `count` connections of each kind to `port`, in batches so the listen backlog keeps up. */
  static async open(port: number, path: string, count: Readonly<Record<TrickleKind, number>>): Promise<Trickle> {
    const trickle = new Trickle();
    const kinds = [...Array<TrickleKind>(count.headers).fill('headers'), ...Array<TrickleKind>(count.body).fill('body')];
    for (let i = 0; i < kinds.length; i += CONNECT_BATCH) {
      const opened = await Promise.all(kinds.slice(i, i + CONNECT_BATCH).map((kind) => openTrickle(port, path, kind)));
      for (const { socket, connection } of opened) {
        trickle.sockets.push(socket);
        trickle.connections.push(connection);
      }
    }
    return trickle;
  }

  open(kind?: TrickleKind): number {
    return this.connections.filter((c) => c.closedMs === undefined && (kind === undefined || c.kind === kind)).length;
  }

  stop(): void {
    clearInterval(this.timer);
    for (const socket of this.sockets) socket.destroy();
  }
}

/** One oversized POST; resolves with the status the server answered, or `reset` when it cut the connection first. */
function oversized(agent: Agent, url: string, declared: boolean): Promise<number | 'reset'> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '"urn:gridbill:channel-payment:v1#Pay"' };
    if (declared) headers['Content-Length'] = String(FLOOD_BYTES_MAX);
    const req = request(url, { method: 'POST', agent, headers });
    let sent = 0;
    let settled = false;
    const settle = (value: number | 'reset') => {
      if (settled) return;
      settled = true;
      req.destroy();
      resolve(value);
    };
    req.on('response', (res) => {
      res.resume();
      settle(res.statusCode ?? 0);
    });
    req.on('error', () => settle('reset'));
    const pump = () => {
      while (!settled && sent < FLOOD_BYTES_MAX) {
        sent += FLOOD_CHUNK.length;
        if (!req.write(FLOOD_CHUNK)) return void req.once('drain', pump);
      }
      if (!settled) req.end();
    };
    pump();
  });
}

/** `width` clients sending oversized bodies back to back until `until()`; the answers by status. */
export async function floodOversized(url: string, width: number, until: () => boolean): Promise<Map<number | 'reset', number>> {
  const agent = new Agent({ keepAlive: false, maxSockets: width });
  const seen = new Map<number | 'reset', number>();
  let n = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (!until()) {
      const outcome = await oversized(agent, url, n++ % 2 === 0);
      seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
    }
  }));
  agent.destroy();
  return seen;
}
