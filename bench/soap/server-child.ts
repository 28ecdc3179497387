// A server for the SOAP benchmark, in its own process so that it has a core to itself while the
// load generator runs in the parent:
//   reference       — the `soap` package serving bench/soap/echo.wsdl on Express (the reference)
//   core <db> <key> — gridbill's core on a prepared SQLite file (synchronous=FULL: durable commits)
// Prints one line `{"port":N}` when it listens; exits on SIGTERM.

import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import express from 'express';
import * as soap from 'soap';
import { startHttpServer } from '../../src/ops/http-server.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { secretBox } from '../../src/ops/secret-box.ts';
import { coreApp } from '../../src/soap/core-app.ts';
import { openStore } from '../../src/store/connect.ts';

async function reference(): Promise<number> {
  const app = express();
  const wsdl = readFileSync(new URL('echo.wsdl', import.meta.url), 'utf8');
  const service = {
    EchoService: { EchoPort: { Echo: (args: { customerNo: string; text: string }) => ({ customerNo: args.customerNo, text: args.text }) } },
  };
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => {
      soap.listen(app, '/echo', service, wsdl);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
    process.on('SIGTERM', () => server.close(() => process.exit(0)));
  });
}

async function core(dbPath: string, keyBase64: string): Promise<number> {
  const store = await openStore(`sqlite:${dbPath}`);
  const logger = createLogger({ level: 'warn', role: 'core', stream: new PassThrough().resume() });
  const box = secretBox(Buffer.from(keyBase64, 'base64'));
  const handler = await coreApp({ checks: {}, store, secrets: () => box, logger });
  const server = await startHttpServer({ name: 'core', host: '127.0.0.1', port: 0, handler, logger });
  process.on('SIGTERM', () => {
    void server.stop().then(() => store.close()).then(() => process.exit(0));
  });
  return Number(new URL(server.url).port);
}

const [role, dbPath, key] = process.argv.slice(2);
const port = role === 'reference' ? await reference() : await core(dbPath!, key!);
process.stdout.write(`${JSON.stringify({ port })}\n`);
