// Stage 11, audit: one JSON log line per request with its verdict — channel, service, operation,
// the stage that decided, the reason code, latency and sizes — and a sample of the denied
// requests kept in a quarantine folder for review. The sample is one denial in
// LIMITS.gatewayQuarantineSampleEvery, each file cut at LIMITS.gatewayQuarantineFileBytesMax, and
// the folder stops growing at LIMITS.gatewayQuarantineBytesMax: an attack cannot fill the disk.
// Files are written off the request path; a write that fails is logged, never answered.

import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LIMITS } from '../limits.ts';
import type { Logger } from '../ops/logger.ts';
import type { Exchange } from './exchange.ts';
import type { Denial } from './verdict.ts';

export interface AuditRecord {
  readonly verdict: 'forwarded' | 'denied';
  readonly channel: string | null;
  readonly service: string;
  readonly operation: string | null;
  /** The stage that denied, or `respond` for an answer from the core. */
  readonly stage: string;
  /** The denial's reason, or `ok` / the core fault's code. */
  readonly reason: string;
  readonly code: string | null;
  readonly status: number;
  readonly ms: number;
  readonly requestBytes: number;
  readonly responseBytes: number;
}

export function auditRecord(x: Exchange, denial: Denial | undefined, status: number, responseBytes: number, ms: number): AuditRecord {
  return {
    verdict: denial ? 'denied' : 'forwarded',
    channel: x.channel?.code ?? null,
    service: x.request.service,
    operation: x.operation?.name ?? null,
    stage: denial?.stage ?? 'respond',
    reason: denial?.reason ?? (x.answer?.faultCode ? 'core-fault' : 'ok'),
    code: denial?.code ?? x.answer?.faultCode ?? null,
    status, ms: Math.round(ms * 10) / 10,
    requestBytes: x.request.rawBody.length, responseBytes,
  };
}

/**
 * Audit lines written straight to a stream, in the shape of the logger's lines (timestamp, level,
 * role, message, correlationId, fields), without its format pipeline: the record holds no personal
 * data and no secret (codes, names of operations and stages, numbers), and the logger's masking
 * costs more than the rest of a forwarded request's checks together.
 */
export function auditLineWriter(write: (line: string) => void): (record: AuditRecord, correlationId: string) => void {
  return (record, correlationId) => {
    write(`${JSON.stringify({ timestamp: new Date().toISOString(), level: 'info', role: 'gateway', message: 'gateway verdict', correlationId, ...record })}\n`);
  };
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    try {
      total += statSync(join(dir, name)).size;
    } catch {
      // removed meanwhile
    }
  }
  return total;
}

export interface QuarantineLimits {
  readonly sampleEvery: number;
  readonly fileBytesMax: number;
  readonly bytesMax: number;
}

const QUARANTINE_LIMITS: QuarantineLimits = {
  sampleEvery: LIMITS.gatewayQuarantineSampleEvery, fileBytesMax: LIMITS.gatewayQuarantineFileBytesMax, bytesMax: LIMITS.gatewayQuarantineBytesMax,
};

export class Quarantine {
  private denials = 0;
  private bytes: number;
  private full = false;
  private readonly writing = new Set<Promise<void>>();

  constructor(private readonly dir: string, private readonly logger: Logger, private readonly limits = QUARANTINE_LIMITS) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.bytes = folderBytes(dir);
  }

  /** Keeps the first of every `sampleEvery` denied requests, within the folder's cap. */
  offer(x: Exchange, record: AuditRecord): void {
    this.denials += 1;
    if ((this.denials - 1) % this.limits.sampleEvery !== 0) return;
    const kept = x.request.rawBody.subarray(0, this.limits.fileBytesMax);
    const text = JSON.stringify({
      at: new Date().toISOString(), correlationId: x.request.correlationId, ...record,
      contentType: String(x.request.headers['content-type'] ?? '').slice(0, 200),
      bodyBytes: x.request.rawBody.length, bodyBase64: kept.toString('base64'),
    });
    if (this.bytes + text.length > this.limits.bytesMax) {
      if (!this.full) this.logger.warn('gateway quarantine is full: denied requests are no longer kept', { dir: this.dir });
      this.full = true;
      return;
    }
    this.bytes += text.length;
    // The denial count keeps names unique within a millisecond even when callers reuse a correlation id.
    const name = `${Date.now()}-${this.denials}-${x.request.correlationId.replace(/[^A-Za-z0-9-]/g, '').slice(0, 64)}-${record.stage}.json`;
    const write = writeFile(join(this.dir, name), text, { mode: 0o600, flag: 'wx' }).catch((error: unknown) => {
      this.logger.warn('gateway quarantine file not written', { error });
    }).finally(() => this.writing.delete(write));
    this.writing.add(write);
  }

  /** Resolves once every file offered so far is written (at shutdown, and for tests). */
  async written(): Promise<void> {
    await Promise.all([...this.writing]);
  }
}
