// The isolation gateway's cost (issue 5), in one run, 50 keep-alive connections each:
//   - QueryArrears and Pay against the core directly, then through the gateway in front of the
//     same core (targets: throughput ≥ 0.8× direct, p99 added ≤ 2 ms);
//   - the gateway alone in front of a stub core that answers a fixed valid response, against the
//     bare `soap` echo on Express (target ≥ 3×);
//   - the gateway's peak memory holding 1,000 idle slow connections, against itself idle.
// Each server runs in its own child process; autocannon runs here. Every request must succeed:
// each Pay carries a new transaction id and every request a fresh UsernameToken.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { businessDate } from '../src/clock.ts';
import { passwordDigest } from '../src/contract/ws-security.ts';
import { POLICY_FORMAT } from '../src/gateway/policy.ts';
import { secretBox } from '../src/ops/secret-box.ts';
import type { BenchRow } from './run.ts';
import { prepareCore } from './soap-services.ts';

const CONNECTIONS = 50;
const IDLE_CONNECTIONS = 1_000;
const SECONDS = Number(process.env.BENCH_GATEWAY_SECONDS ?? process.env.BENCH_SOAP_SECONDS ?? 10);
const CHANNEL = 'bench-bank';
const PASSWORD = 'bench-password-1';
const CP = 'urn:gridbill:channel-payment:v1';
const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
const DIGEST = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest';

interface Figures { readonly rps: number; readonly p99: number; readonly total: number; readonly failed: number }

async function startChild(script: string, args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL(script, import.meta.url).pathname, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  for await (const line of createInterface({ input: child.stdout! })) {
    return { child, url: `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}` };
  }
  throw new Error(`${script} exited before listening`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

function envelope(body: string): string {
  const nonce = randomBytes(16).toString('base64');
  const created = new Date().toISOString();
  return `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cp="${CP}"><soap:Header>`
    + `<wsse:Security xmlns:wsse="${WSSE}" xmlns:wsu="${WSU}"><wsse:UsernameToken><wsse:Username>${CHANNEL}</wsse:Username>`
    + `<wsse:Password Type="${DIGEST}">${passwordDigest(nonce, created, PASSWORD)}</wsse:Password><wsse:Nonce>${nonce}</wsse:Nonce>`
    + `<wsu:Created>${created}</wsu:Created></wsse:UsernameToken></wsse:Security></soap:Header><soap:Body>${body}</soap:Body></soap:Envelope>`;
}

async function load(url: string, action: string, body: () => string): Promise<Figures> {
  const result = await autocannon({
    url, connections: CONNECTIONS, duration: SECONDS,
    requests: [{ method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${action}"` }, setupRequest: (req) => ({ ...req, body: body() }) }],
  });
  return { rps: result.requests.total / (result.duration || SECONDS), p99: result.latency.p99, total: result.requests.total, failed: result.non2xx + result.errors + result.timeouts };
}

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}

function writePolicy(dir: string, key: Buffer): string {
  const file = join(dir, 'gateway-policy.json');
  const unlimited = { ratePerSecond: 1_000_000, burst: 1_000_000, customerRatePerMinute: 1_000_000, customerBurst: 1_000_000, dailyAmountMax: '999999999999.00' };
  writeFileSync(file, JSON.stringify({
    format: POLICY_FORMAT, zones: { banks: ['ChannelPaymentService'] },
    channels: { [CHANNEL]: { zone: 'banks', operations: ['QueryArrears', 'Pay'], secret: secretBox(key).seal(PASSWORD), ...unlimited } },
  }));
  return file;
}

function check(name: string, f: Figures): Figures {
  console.log(`${name}: ${Math.round(f.rps).toLocaleString('en')} req/s, p99 ${f.p99} ms, ${f.total} requests, ${f.failed} failed`);
  if (f.failed > 0) throw new Error(`gateway bench: ${name}: ${f.failed} requests failed`);
  return f;
}

async function directAndThrough(dir: string): Promise<BenchRow[]> {
  const path = join(dir, 'gateway-core.db');
  const key = randomBytes(32);
  const customers = await prepareCore(path, key);
  const core = await startChild('soap/server-child.ts', ['core', path, key.toString('base64')]);
  const gatewayKey = randomBytes(32);
  const gw = await startChild('gateway/server-child.ts', ['gateway', core.url, writePolicy(dir, gatewayKey), gatewayKey.toString('base64')]);
  const arrears = () => envelope(`<cp:QueryArrears><cp:customerNo>${pick(customers)}</cp:customerNo></cp:QueryArrears>`);
  let txn = 0;
  const day = businessDate();
  const pay = () => envelope(`<cp:Pay><cp:channelTxnId>G${process.pid}-${++txn}</cp:channelTxnId><cp:customerNo>${pick(customers)}</cp:customerNo>`
    + `<cp:amount>10.00</cp:amount><cp:accountingDate>${day}</cp:accountingDate></cp:Pay>`);
  try {
    const soap = (base: string) => `${base}/soap/ChannelPaymentService`;
    const arrearsDirect = check('QueryArrears direct', await load(soap(core.url), `${CP}#QueryArrears`, arrears));
    const arrearsVia = check('QueryArrears through the gateway', await load(soap(gw.url), `${CP}#QueryArrears`, arrears));
    const payDirect = check('Pay direct', await load(soap(core.url), `${CP}#Pay`, pay));
    const payVia = check('Pay through the gateway', await load(soap(gw.url), `${CP}#Pay`, pay));
    const row = (op: string, via: Figures, direct: Figures): BenchRow => ({
      name: `${op} through the gateway, ${CONNECTIONS} connections (p99 ${via.p99} ms, +${(via.p99 - direct.p99).toFixed(1)} ms; target ≥ 0.8×, p99 added ≤ 2 ms)`,
      value: via.rps, unit: 'req/s', reference: `${op} direct to the core`, referenceValue: direct.rps,
    });
    return [row('QueryArrears', arrearsVia, arrearsDirect), row('Pay', payVia, payDirect)];
  } finally {
    await stopChild(gw.child);
    await stopChild(core.child);
  }
}

async function aloneVersusEcho(dir: string): Promise<BenchRow> {
  const reference = await startChild('soap/server-child.ts', ['reference']);
  const echo = check('reference: soap echo on Express', await load(`${reference.url}/echo`, 'urn:gridbill:bench-echo:v1#Echo',
    () => envelope('<e:Echo xmlns:e="urn:gridbill:bench-echo:v1"><e:customerNo>3301000000011</e:customerNo><e:text>19.50</e:text></e:Echo>')));
  await stopChild(reference.child);
  const stub = await startChild('gateway/server-child.ts', ['stub']);
  const key = randomBytes(32);
  const gw = await startChild('gateway/server-child.ts', ['gateway', stub.url, writePolicy(dir, key), key.toString('base64')]);
  try {
    const alone = check('gateway in front of a stub core', await load(`${gw.url}/soap/ChannelPaymentService`, `${CP}#QueryArrears`,
      () => envelope('<cp:QueryArrears><cp:customerNo>3301000000011</cp:customerNo></cp:QueryArrears>')));
    return {
      name: `gateway alone in front of a stub core, QueryArrears, ${CONNECTIONS} connections (p99 ${alone.p99} ms; target ≥ 3×)`,
      value: alone.rps, unit: 'req/s', reference: 'soap echo on Express', referenceValue: echo.rps,
    };
  } finally {
    await stopChild(gw.child);
    await stopChild(stub.child);
  }
}

/** Resident memory of a process in MiB, from /proc (Linux): `VmRSS` now, `VmHWM` its peak. */
function memoryMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) / 1024;
}

/** 1,000 connections that send half a request line and then nothing (slow-loris), held open. */
async function idleConnections(dir: string): Promise<BenchRow> {
  const stub = await startChild('gateway/server-child.ts', ['stub']);
  const key = randomBytes(32);
  const gw = await startChild('gateway/server-child.ts', ['gateway', stub.url, writePolicy(dir, key), key.toString('base64')]);
  const sockets: Socket[] = [];
  try {
    const pid = gw.child.pid!;
    const before = memoryMiB(pid, 'VmRSS');
    const { port } = new URL(gw.url);
    for (let i = 0; i < IDLE_CONNECTIONS; i += 1) {
      const socket = connect(Number(port), '127.0.0.1');
      socket.on('error', () => {});
      socket.write('POST /soap/ChannelPaymentService HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml');
      sockets.push(socket);
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const peak = memoryMiB(pid, 'VmHWM');
    console.log(`gateway with ${IDLE_CONNECTIONS} idle slow connections: peak RSS ${peak.toFixed(1)} MiB (idle before: ${before.toFixed(1)} MiB)`);
    return {
      name: `gateway peak memory with ${IDLE_CONNECTIONS} idle slow connections (headers never finished)`,
      value: peak, unit: 'MiB', reference: 'the same gateway idle, no connections', referenceValue: before,
    };
  } finally {
    for (const socket of sockets) socket.destroy();
    await stopChild(gw.child);
    await stopChild(stub.child);
  }
}

export async function gatewayBench(dir: string): Promise<BenchRow[]> {
  console.log(`gateway bench: ${CONNECTIONS} connections, ${SECONDS} s per figure`);
  return [...await directAndThrough(dir), await aloneVersusEcho(dir), await idleConnections(dir)];
}
