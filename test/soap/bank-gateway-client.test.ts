// The outbound BankGatewayService client against the bank simulator on loopback (and, for what the
// simulator never does — a garbled or oversized answer, a closed port — against a raw node:http
// server): every call ends in a typed value, a Debit without an answer is settled by sending the
// same requestId again, the correlation id travels, and account numbers reach the log only masked.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { BankSimulator } from '../../fixtures/simulators/bank-gateway.ts';
import { LIMITS } from '../../src/limits.ts';
import { runWithContext } from '../../src/ops/context.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { BankGatewayClient } from '../../src/soap/bank-gateway-client.ts';

const ACCOUNT = '6222021234567890123';
const MASKED = '6222***********0123';
const TIMEOUT_MS = 300;

async function rawServer(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/soap/BankGatewayService`, server };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('BankGatewayService client', function () {
  this.timeout(20_000);
  let sim: BankSimulator;
  let client: BankGatewayClient;
  const logLines: string[] = [];

  before(async () => {
    sim = await BankSimulator.start();
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    client = new BankGatewayClient({ url: sim.url, timeoutMs: TIMEOUT_MS, logger: createLogger({ level: 'debug', role: 'core', stream }) });
  });
  beforeEach(() => sim.setBalance(ACCOUNT, 100_000));
  after(async () => {
    client?.close();
    await sim?.stop();
  });

  it('checks a balance: sufficient, and insufficient with the available amount', async () => {
    const enough = await client.checkBalance({ requestId: 'CB-1', bankAccount: ACCOUNT, amountFen: 100_000 });
    expect(enough).to.deep.equal({ kind: 'answer', answer: { requestId: 'CB-1', sufficient: true, availableFen: 100_000 } });
    const short = await client.checkBalance({ requestId: 'CB-2', bankAccount: ACCOUNT, amountFen: 100_001 });
    expect(short).to.deep.equal({ kind: 'answer', answer: { requestId: 'CB-2', sufficient: false, availableFen: 100_000, failure: 'INSUFFICIENT_BALANCE' } });
    const none = await client.checkBalance({ requestId: 'CB-3', bankAccount: '6222000000000000000', amountFen: 1 });
    expect(none).to.deep.equal({ kind: 'answer', answer: { requestId: 'CB-3', sufficient: false, failure: 'ACCOUNT_INVALID' } });
  });

  it('debits once per requestId: the same id again gets the first answer, other content under it a Client fault', async () => {
    const first = await client.debit({ requestId: 'D-1', bankAccount: ACCOUNT, amountFen: 12_345, memo: '电费 3301' });
    expect(first.kind).to.equal('answer');
    const answer = first.kind === 'answer' ? first.answer : undefined;
    expect(answer).to.include({ requestId: 'D-1', outcome: 'SUCCESS', amountFen: 12_345 });
    expect(answer?.bankTxnId).to.match(/^SIM\d{10}$/);
    expect(answer?.accountingDate).to.match(/^\d{4}-\d{2}-\d{2}$/);
    expect(sim.balanceOf(ACCOUNT)).to.equal(100_000 - 12_345);
    sim.setBalance(ACCOUNT, 0);
    expect(await client.debit({ requestId: 'D-1', bankAccount: ACCOUNT, amountFen: 12_345 })).to.deep.equal(first);
    expect(sim.balanceOf(ACCOUNT)).to.equal(0);
    const conflict = await client.debit({ requestId: 'D-1', bankAccount: ACCOUNT, amountFen: 1 });
    expect(conflict).to.deep.equal({ kind: 'fault', side: 'Client', code: 'TXN_ID_CONFLICT', message: 'requestId used with other content' });
  });

  it('answers a debit the balance does not cover as FAILED, without a bank transaction', async () => {
    const result = await client.debit({ requestId: 'D-2', bankAccount: ACCOUNT, amountFen: 100_001 });
    expect(result.kind === 'answer' && result.answer).to.include({ outcome: 'FAILED', failure: 'INSUFFICIENT_BALANCE' });
    expect(result.kind === 'answer' && result.answer.bankTxnId).to.equal(undefined);
    expect(sim.balanceOf(ACCOUNT)).to.equal(100_000);
  });

  it('turns a bank fault into a typed fault', async () => {
    sim.misbehave('CheckBalance', { kind: 'fault' });
    const result = await client.checkBalance({ requestId: 'CB-F', bankAccount: ACCOUNT, amountFen: 1 });
    expect(result).to.deep.equal({ kind: 'fault', side: 'Server', code: 'INTERNAL', message: 'Internal error' });
  });

  it('waits for a slow answer within its timeout', async () => {
    sim.misbehave('Debit', { kind: 'delay', ms: TIMEOUT_MS });
    const patient = new BankGatewayClient({ url: sim.url, timeoutMs: 10_000 });
    try {
      const result = await patient.debit({ requestId: 'D-SLOW', bankAccount: ACCOUNT, amountFen: 100 });
      expect(result.kind === 'answer' && result.answer.outcome).to.equal('SUCCESS');
    } finally {
      patient.close();
    }
  });

  it('gives up at its timeout; the same requestId again learns that the debit happened, and nothing is debited twice', async () => {
    sim.misbehave('Debit', { kind: 'lose-answer' });
    const lost = await client.debit({ requestId: 'D-LOST', bankAccount: ACCOUNT, amountFen: 500 });
    expect(lost).to.deep.include({ kind: 'no-answer', reason: 'timeout' });
    expect(sim.balanceOf(ACCOUNT)).to.equal(100_000 - 500);
    const again = await client.debit({ requestId: 'D-LOST', bankAccount: ACCOUNT, amountFen: 500 });
    expect(again.kind === 'answer' && again.answer.outcome).to.equal('SUCCESS');
    expect(sim.balanceOf(ACCOUNT)).to.equal(100_000 - 500);
  });

  it('gives up at its timeout when the bank drops the call; sent again, the debit happens once', async () => {
    sim.misbehave('Debit', { kind: 'drop' });
    expect(await client.debit({ requestId: 'D-DROP', bankAccount: ACCOUNT, amountFen: 700 })).to.deep.include({ kind: 'no-answer', reason: 'timeout' });
    expect(sim.balanceOf(ACCOUNT)).to.equal(100_000);
    const again = await client.debit({ requestId: 'D-DROP', bankAccount: ACCOUNT, amountFen: 700 });
    expect(again.kind === 'answer' && again.answer.outcome).to.equal('SUCCESS');
    expect(sim.balanceOf(ACCOUNT)).to.equal(100_000 - 700);
  });

  it('reverses a debit once', async () => {
    await client.debit({ requestId: 'D-REV', bankAccount: ACCOUNT, amountFen: 900 });
    const reversed = await client.reverseDebit({ requestId: 'R-1', originalRequestId: 'D-REV', amountFen: 900 });
    expect(reversed.kind === 'answer' && reversed.answer).to.include({ requestId: 'R-1', originalRequestId: 'D-REV', outcome: 'SUCCESS' });
    expect(sim.balanceOf(ACCOUNT)).to.equal(100_000);
    expect(await client.reverseDebit({ requestId: 'R-1', originalRequestId: 'D-REV', amountFen: 900 })).to.deep.equal(reversed);
    const twice = await client.reverseDebit({ requestId: 'R-2', originalRequestId: 'D-REV', amountFen: 900 });
    expect(twice.kind === 'answer' && twice.answer).to.include({ outcome: 'FAILED', failure: 'BANK_REJECTED' });
    expect(sim.balanceOf(ACCOUNT)).to.equal(100_000);
  });

  it('sends the request\'s correlation id and logs the account only masked', async () => {
    await runWithContext({ correlationId: 'corr-bank-0001' }, () => client.checkBalance({ requestId: 'CB-C', bankAccount: ACCOUNT, amountFen: 1 }));
    expect(sim.calls.at(-1)).to.deep.equal({ operation: 'CheckBalance', requestId: 'CB-C', correlationId: 'corr-bank-0001' });
    const line = logLines.find((l) => l.includes('"CB-C"'));
    expect(line).to.include(MASKED);
    expect(logLines.join('\n')).to.not.include(ACCOUNT);
  });

  it('reports a refused connection as unreachable', async () => {
    const { url, server } = await rawServer(() => undefined);
    await closeServer(server);
    const closed = new BankGatewayClient({ url, timeoutMs: TIMEOUT_MS });
    expect(await closed.debit({ requestId: 'D-X', bankAccount: ACCOUNT, amountFen: 1 })).to.deep.include({ kind: 'no-answer', reason: 'unreachable' });
    closed.close();
  });

  for (const [what, status, body] of [
    ['an answer that is not XML', 200, 'hello'],
    ['an answer with a DOCTYPE', 200, '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>'],
    ['another operation\'s answer', 200, envelopeOf('<CheckBalanceResponse xmlns="urn:gridbill:bank-gateway:v1"><requestId>D-M</requestId><sufficient>true</sufficient></CheckBalanceResponse>')],
    ['an amount that is a float', 200, debitAnswer('D-M', '1e3')],
    ['an answer naming another requestId', 200, debitAnswer('D-OTHER', '1.00')],
    ['an HTTP error without a fault', 502, 'bad gateway'],
    ['an answer larger than the limit', 200, debitAnswer('D-M', '1.00').replace('<processedAt>', `<memo>${'x'.repeat(LIMITS.bankAnswerBytesMax)}</memo><processedAt>`)],
  ] as const) {
    it(`reports ${what} as malformed, never as an outcome`, async () => {
      const { url, server } = await rawServer((_req, res) => {
        res.writeHead(status, { 'Content-Type': 'text/xml; charset=utf-8' });
        res.end(body);
      });
      const raw = new BankGatewayClient({ url, timeoutMs: 2_000 });
      try {
        expect(await raw.debit({ requestId: 'D-M', bankAccount: ACCOUNT, amountFen: 100 })).to.deep.include({ kind: 'no-answer', reason: 'malformed' });
      } finally {
        raw.close();
        await closeServer(server);
      }
    });
  }
});

function envelopeOf(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${body}</soap:Body></soap:Envelope>`;
}

function debitAnswer(requestId: string, amount: string): string {
  return envelopeOf(`<DebitResponse xmlns="urn:gridbill:bank-gateway:v1"><requestId>${requestId}</requestId><outcome>SUCCESS</outcome>`
    + `<amount>${amount}</amount><processedAt>2026-11-10T10:00:00.000+08:00</processedAt></DebitResponse>`);
}
