// A core on loopback for SOAP tests: a migrated SQLite store with the fixture tariffs in a temp
// folder, whatever the test adds to it, and the core's HTTP handler on a free port, with its log
// lines captured for assertions.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { LogLevel } from '../../src/config.ts';
import { startHttpServer, type RunningServer } from '../../src/ops/http-server.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { secretBox, type SecretBox } from '../../src/ops/secret-box.ts';
import { coreApp } from '../../src/soap/core-app.ts';
import type { BankGateway } from '../../src/usecases/bank-gateway.ts';
import { openStore, type OpenStore } from '../../src/store/connect.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { importFixtureTariffs } from './tariffs.ts';

export interface TestCore {
  readonly store: OpenStore;
  readonly server: RunningServer;
  /** Every log line the core wrote, in order; the same array throughout. */
  readonly logLines: string[];
  endpoint(service: string): string;
  stop(): Promise<void>;
}

export async function startTestCore(
  prepare: (store: OpenStore, box: SecretBox) => Promise<void>,
  options: { readonly level?: LogLevel; readonly credentialsTtlMs?: number; readonly bank?: BankGateway } = {},
): Promise<TestCore> {
  const dir = mkdtempSync(join(tmpdir(), 'gridbill-soap-'));
  const store = await openStore(`sqlite:${join(dir, 'test.db')}`);
  await migrateToLatest(store.db, store.dialect);
  await importFixtureTariffs(store);
  const box = secretBox(randomBytes(32));
  await prepare(store, box);
  const logLines: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const logger = createLogger({ level: options.level ?? 'info', role: 'core', stream });
  const handler = await coreApp({
    checks: {}, store, secrets: () => box, logger, credentialsTtlMs: options.credentialsTtlMs, ...(options.bank ? { bank: options.bank } : {}),
  });
  const server = await startHttpServer({ name: 'core', host: '127.0.0.1', port: 0, handler, logger });
  return {
    store, server, logLines,
    endpoint: (service) => `${server.url}/soap/${service}`,
    async stop() {
      await server.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
