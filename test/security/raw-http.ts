// A request written byte by byte on a socket, for what node:http's client will not send: a
// Content-Length far larger than the body that follows, or a body cut short.

import { connect } from 'node:net';

export interface RawReply {
  readonly status: number;
  readonly text: string;
}

export function rawRequest(url: string, head: readonly string[], body: Buffer | string = ''): Promise<RawReply> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, text: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
    socket.write(`POST ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n${head.join('\r\n')}\r\n\r\n`);
    socket.write(body);
  });
}
