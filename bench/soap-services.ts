// SOAP throughput (issue 4): in one run, a bare `soap` echo service on Express (the reference),
// then QueryArrears and Pay against gridbill's core over HTTP with 50 keep-alive connections and
// durable commits (SQLite synchronous=FULL). Each server runs in a child process with a core to
// itself; the load generator (autocannon) runs here, on the other core, the same for all three.
// Every Pay carries a new transaction id and a fresh WS-Security UsernameToken, and every request
// must succeed: a benchmark that counts faults as throughput measures nothing.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { generateDemo } from '../fixtures/demo/generator.ts';
import { tariffFixtureFiles } from '../fixtures/tariffs/index.ts';
import { businessDate } from '../src/clock.ts';
import { addMonths, monthOf } from '../src/domain/dates.ts';
import { secretBox } from '../src/ops/secret-box.ts';
import { passwordDigest } from '../src/contract/ws-security.ts';
import { openStore } from '../src/store/connect.ts';
import { ledgerTotal } from '../src/store/ledger.repository.ts';
import { migrateToLatest } from '../src/store/migrate.ts';
import { billHistory } from '../src/usecases/bill-history.ts';
import { addChannel } from '../src/usecases/manage-channels.ts';
import { queryArrears } from '../src/usecases/query-arrears.ts';
import { seedDemo } from '../src/usecases/seed-demo.ts';
import type { BenchRow } from './run.ts';

const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_SOAP_SECONDS ?? 10);
const CUSTOMERS = 2_000;
const CHANNEL = 'bench-bank';
const PASSWORD = 'bench-password-1';
const CP = 'urn:gridbill:channel-payment:v1';
const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
const DIGEST = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest';

interface Figures { readonly rps: number; readonly p50: number; readonly p99: number; readonly total: number; readonly failed: number }

export async function prepareCore(path: string, key: Buffer): Promise<string[]> {
  const store = await openStore(`sqlite:${path}`);
  try {
    await migrateToLatest(store.db, store.dialect);
    const endMonth = addMonths(monthOf(businessDate()), -1);
    const now = new Date().toISOString();
    await seedDemo(store, generateDemo({ customers: CUSTOMERS, months: 4, seed: 7, endMonth }), now, { tariffFiles: tariffFixtureFiles() });
    await billHistory(store, { fromMonth: addMonths(endMonth, -2), toMonth: endMonth, now, actor: 'bench' });
    await addChannel(store, secretBox(key), { code: CHANNEL, name: 'bench bank', kind: 'bank', password: PASSWORD, operations: ['QueryArrears', 'Pay'] }, 'bench', now);
    const numbers = (await store.db.selectFrom('customers').select('customer_no').orderBy('id').execute()).map((r) => r.customer_no);
    const today = businessDate();
    const withArrears: string[] = [];
    for (const customerNo of numbers) {
      if ((await queryArrears(store, { customerNo, asOfDate: today })).totalDueFen > 0) withArrears.push(customerNo);
    }
    return withArrears;
  } finally {
    await store.close();
  }
}

async function startChild(args: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [...(process.env.BENCH_CHILD_FLAGS ?? '').split(' ').filter(Boolean), '--import', 'tsx', new URL('soap/server-child.ts', import.meta.url).pathname, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const { port } = JSON.parse(line) as { port: number };
    return { child, port };
  }
  throw new Error('benchmark server exited before listening');
}

async function stopChild(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

function securityHeader(): string {
  const nonce = randomBytes(16).toString('base64');
  const created = new Date().toISOString();
  return `<wsse:Security xmlns:wsse="${WSSE}" xmlns:wsu="${WSU}"><wsse:UsernameToken><wsse:Username>${CHANNEL}</wsse:Username>`
    + `<wsse:Password Type="${DIGEST}">${passwordDigest(nonce, created, PASSWORD)}</wsse:Password><wsse:Nonce>${nonce}</wsse:Nonce>`
    + `<wsu:Created>${created}</wsu:Created></wsse:UsernameToken></wsse:Security>`;
}

function envelope(body: string, header = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cp="${CP}">`
    + `<soap:Header>${header}</soap:Header><soap:Body>${body}</soap:Body></soap:Envelope>`;
}

async function load(url: string, action: string, body: () => string): Promise<Figures> {
  const result = await autocannon({
    url, connections: CONNECTIONS, duration: SECONDS,
    requests: [{ method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${action}"` }, setupRequest: (req) => ({ ...req, body: body() }) }],
  });
  return {
    rps: result.requests.total / (result.duration || SECONDS), p50: result.latency.p50, p99: result.latency.p99,
    total: result.requests.total, failed: result.non2xx + result.errors + result.timeouts,
  };
}

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}

function describe(name: string, f: Figures): string {
  return `${name}: ${Math.round(f.rps).toLocaleString('en')} req/s, p50 ${f.p50} ms, p99 ${f.p99} ms, ${f.total} requests, ${f.failed} failed`;
}

export async function soapBench(dir: string): Promise<BenchRow[]> {
  const path = join(dir, 'soap-core.db');
  const key = randomBytes(32);
  const customers = await prepareCore(path, key);
  console.log(`SOAP bench: ${customers.length} customers with arrears; ${CONNECTIONS} connections, ${SECONDS} s per figure`);

  const reference = await startChild(['reference']);
  const echo = await load(`http://127.0.0.1:${reference.port}/echo`, 'urn:gridbill:bench-echo:v1#Echo',
    () => envelope(`<e:Echo xmlns:e="urn:gridbill:bench-echo:v1"><e:customerNo>${pick(customers)}</e:customerNo><e:text>19.50</e:text></e:Echo>`));
  await stopChild(reference.child);
  console.log(describe('reference: soap echo on Express', echo));

  const core = await startChild(['core', path, key.toString('base64')]);
  const url = `http://127.0.0.1:${core.port}/soap/ChannelPaymentService`;
  const arrears = await load(url, `${CP}#QueryArrears`, () => envelope(`<cp:QueryArrears><cp:customerNo>${pick(customers)}</cp:customerNo></cp:QueryArrears>`, securityHeader()));
  console.log(describe('QueryArrears', arrears));
  if (process.env.BENCH_SOAP_PAY === 'skip') { // while profiling QueryArrears alone
    await stopChild(core.child);
    return [];
  }
  let txn = 0;
  const accountingDate = businessDate();
  const payments = await load(url, `${CP}#Pay`, () => envelope(
    `<cp:Pay><cp:channelTxnId>B${process.pid}-${++txn}</cp:channelTxnId><cp:customerNo>${pick(customers)}</cp:customerNo>`
    + `<cp:amount>10.00</cp:amount><cp:accountingDate>${accountingDate}</cp:accountingDate></cp:Pay>`, securityHeader()));
  console.log(describe('Pay', payments));
  await stopChild(core.child);

  const store = await openStore(`sqlite:${path}`);
  const posted = Number((await store.db.selectFrom('payments').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const ledger = await ledgerTotal(store);
  await store.close();
  console.log(`Pay check: ${posted} payments stored, ${payments.total - payments.failed} answered in time (requests in flight when the clock stopped are stored, not counted); ledger total ${ledger} fen`);
  if (posted < payments.total - payments.failed) throw new Error('SOAP bench: fewer payments stored than acknowledged');
  if (arrears.failed > 0 || payments.failed > 0 || echo.failed > 0 || ledger !== 0) throw new Error('SOAP bench: requests failed or the ledger does not sum to zero');

  return [
    { name: `Pay over HTTP, ${CONNECTIONS} connections, durable (p50 ${payments.p50} ms, p99 ${payments.p99} ms; target ≥ 1.0×)`, value: payments.rps, unit: 'req/s', reference: 'soap echo on Express', referenceValue: echo.rps },
    { name: `QueryArrears over HTTP, ${CONNECTIONS} connections (p50 ${arrears.p50} ms, p99 ${arrears.p99} ms; target ≥ 2.0×)`, value: arrears.rps, unit: 'req/s', reference: 'soap echo on Express', referenceValue: echo.rps },
  ];
}
