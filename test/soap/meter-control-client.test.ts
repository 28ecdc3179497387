// The outbound MeterControlService client against the head-end simulator on loopback (and, for what
// the simulator never does — a garbled or oversized answer, a closed port — against a raw node:http
// server): every typed call ends in a value, the MeterControl face throws for anything but an
// answer, a command sent again under its id is not executed twice, the correlation id travels, and
// the command's reason never reaches the log.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { HeadEndSimulator } from '../../fixtures/simulators/head-end.ts';
import { runWithContext } from '../../src/ops/context.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { HeadEndUnavailable, MeterControlClient } from '../../src/soap/meter-control-client.ts';

const TIMEOUT_MS = 300;
const REASON = '余额-3.80元，欠费停电';

async function rawServer(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/soap/MeterControlService`, server };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function thrown(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).to.be.instanceOf(HeadEndUnavailable);
  return error as Error;
}

describe('MeterControlService client and the head-end simulator', function () {
  this.timeout(20_000);
  let sim: HeadEndSimulator;
  let client: MeterControlClient;
  const logLines: string[] = [];

  before(async () => {
    sim = await HeadEndSimulator.start();
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    client = new MeterControlClient({ url: sim.url, timeoutMs: TIMEOUT_MS, logger: createLogger({ level: 'debug', role: 'core', stream }) });
  });
  after(async () => {
    client?.close();
    await sim?.stop();
  });

  it('disconnects and reconnects a meter and reads its switch state', async () => {
    sim.addMeter('M1001');
    const off = await client.disconnect({ commandId: 'D1-A', meterNo: 'M1001', reason: REASON });
    expect(off.kind === 'answer' && off.answer).to.include({ commandId: 'D1-A', meterNo: 'M1001', ack: 'DONE', switchState: 'DISCONNECTED' });
    expect(sim.stateOf('M1001')).to.equal('DISCONNECTED');
    const state = await client.getSwitchState('M1001');
    expect(state.kind === 'answer' && state.answer).to.include({ meterNo: 'M1001', switchState: 'DISCONNECTED', lastCommandId: 'D1-A' });
    expect(await client.send({ commandId: 'R1-A', meterNo: 'M1001', kind: 'RECONNECT', reason: '已交费，自动复电' })).to.deep.equal({ ack: 'DONE', switchState: 'CONNECTED' });
    expect(await client.switchState('M1001')).to.equal('CONNECTED');
  });

  it('answers a repeated commandId with its first answer and never switches twice; other content under it is a Client fault', async () => {
    sim.addMeter('M1002');
    const first = await client.disconnect({ commandId: 'D2-A', meterNo: 'M1002', reason: REASON });
    sim.setState('M1002', 'CONNECTED'); // a fitter reconnected it on site
    const again = await client.disconnect({ commandId: 'D2-A', meterNo: 'M1002', reason: REASON });
    expect(again).to.deep.equal(first);
    expect(sim.stateOf('M1002')).to.equal('CONNECTED');
    const conflict = await client.reconnect({ commandId: 'D2-A', meterNo: 'M1002', reason: REASON });
    expect(conflict).to.deep.include({ kind: 'fault', side: 'Client', code: 'TXN_ID_CONFLICT' });
    await thrown(client.send({ commandId: 'D2-A', meterNo: 'M1002', kind: 'RECONNECT', reason: REASON }));
  });

  it('rejects a meter it does not know, and a command the meter cannot take', async () => {
    expect(await client.send({ commandId: 'D3-A', meterNo: 'M9999', kind: 'DISCONNECT', reason: REASON })).to.deep.include({ ack: 'REJECTED', switchState: 'UNKNOWN' });
    expect(await client.getSwitchState('M9999')).to.deep.include({ kind: 'fault', side: 'Client', code: 'NOT_FOUND' });
    sim.addMeter('M1003');
    sim.misbehave('Disconnect', { kind: 'reject' });
    expect((await client.send({ commandId: 'D3-B', meterNo: 'M1003', kind: 'DISCONNECT', reason: REASON })).ack).to.equal('REJECTED');
    expect(sim.stateOf('M1003')).to.equal('CONNECTED');
  });

  it('accepts a command for later: the switch moves only after the meter is polled', async () => {
    sim.addMeter('M1004');
    sim.misbehave('Disconnect', { kind: 'accept', reads: 1 });
    expect(await client.send({ commandId: 'D4-A', meterNo: 'M1004', kind: 'DISCONNECT', reason: REASON })).to.deep.equal({ ack: 'ACCEPTED', switchState: 'CONNECTED' });
    expect(await client.switchState('M1004')).to.equal('CONNECTED');
    expect(await client.switchState('M1004')).to.equal('DISCONNECTED');
  });

  it('ends a fault, a dropped call, a lost answer and a late answer in a value; a lost answer is settled by sending the id again', async () => {
    sim.addMeter('M1005');
    sim.misbehave('Disconnect', { kind: 'fault' });
    expect(await client.disconnect({ commandId: 'D5-A', meterNo: 'M1005', reason: REASON })).to.deep.include({ kind: 'fault', side: 'Server', code: 'INTERNAL' });
    expect(sim.stateOf('M1005')).to.equal('CONNECTED');
    sim.misbehave('Disconnect', { kind: 'drop' });
    expect(await client.disconnect({ commandId: 'D5-A', meterNo: 'M1005', reason: REASON })).to.deep.include({ kind: 'no-answer', reason: 'timeout' });
    expect(sim.stateOf('M1005')).to.equal('CONNECTED');
    sim.misbehave('Disconnect', { kind: 'lose-answer' });
    expect((await client.disconnect({ commandId: 'D5-A', meterNo: 'M1005', reason: REASON })).kind).to.equal('no-answer');
    expect(sim.stateOf('M1005')).to.equal('DISCONNECTED');
    const settled = await client.disconnect({ commandId: 'D5-A', meterNo: 'M1005', reason: REASON });
    expect(settled.kind === 'answer' && settled.answer.ack).to.equal('DONE');
    sim.misbehave('GetSwitchState', { kind: 'delay', ms: TIMEOUT_MS * 3 });
    expect(await client.getSwitchState('M1005')).to.deep.include({ kind: 'no-answer', reason: 'timeout' });
    const error = await thrown((sim.misbehave('GetSwitchState', { kind: 'fault' }), client.switchState('M1005')));
    expect(error.message).to.include('fault INTERNAL');
  });

  it('refuses requests that are not the contract: a bad meter number, another service, a GET', async () => {
    const badMeter = await client.disconnect({ commandId: 'D6-A', meterNo: 'M 1006', reason: REASON });
    expect(badMeter).to.deep.include({ kind: 'fault', side: 'Client', code: 'VALIDATION_FAILED' });
    const post = await fetch(sim.url, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: '<Envelope/>' });
    expect(post.status).to.equal(500);
    expect((await fetch(sim.url)).status).to.equal(405);
  });

  it('carries the correlation id and never logs the reason', async () => {
    sim.addMeter('M1007');
    await runWithContext({ correlationId: 'corr-head-end-0001' }, () => client.disconnect({ commandId: 'D7-A', meterNo: 'M1007', reason: REASON }));
    expect(sim.calls.at(-1)).to.deep.equal({ operation: 'Disconnect', meterNo: 'M1007', commandId: 'D7-A', correlationId: 'corr-head-end-0001' });
    const line = logLines.find((l) => l.includes('D7-A'));
    expect(JSON.parse(line!)).to.include({ message: 'head-end call', operation: 'Disconnect', outcome: 'DONE', correlationId: 'corr-head-end-0001' });
    expect(logLines.join('\n')).to.not.include('欠费停电');
  });

  it('treats a garbled, oversized or foreign answer as no answer, and a closed port as unreachable', async () => {
    const cases: Array<[string, (res: import('node:http').ServerResponse) => void, string]> = [
      ['garbled', (res) => res.writeHead(200, { 'Content-Type': 'text/xml' }).end('<not xml'), 'malformed'],
      ['oversized', (res) => res.writeHead(200, { 'Content-Type': 'text/xml' }).end('x'.repeat(70_000)), 'malformed'],
      ['other command', (res) => res.writeHead(200, { 'Content-Type': 'text/xml' }).end(
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:DisconnectResponse xmlns:m="urn:gridbill:meter-control:v1">'
        + '<m:commandId>OTHER</m:commandId><m:meterNo>M1</m:meterNo><m:ack>DONE</m:ack><m:switchState>DISCONNECTED</m:switchState><m:at>2026-11-12T08:00:00+08:00</m:at>'
        + '</m:DisconnectResponse></s:Body></s:Envelope>'), 'malformed'],
      ['unknown ack', (res) => res.writeHead(200, { 'Content-Type': 'text/xml' }).end(
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><m:DisconnectResponse xmlns:m="urn:gridbill:meter-control:v1">'
        + '<m:commandId>D8-A</m:commandId><m:meterNo>M1</m:meterNo><m:ack>MAYBE</m:ack><m:switchState>DISCONNECTED</m:switchState><m:at>2026-11-12T08:00:00+08:00</m:at>'
        + '</m:DisconnectResponse></s:Body></s:Envelope>'), 'malformed'],
    ];
    for (const [name, respond, reason] of cases) {
      const { url, server } = await rawServer((_req, res) => respond(res));
      const raw = new MeterControlClient({ url, timeoutMs: TIMEOUT_MS });
      try {
        expect(await raw.disconnect({ commandId: 'D8-A', meterNo: 'M1', reason: REASON }), name).to.deep.include({ kind: 'no-answer', reason });
      } finally {
        raw.close();
        await closeServer(server);
      }
    }
    const { url, server } = await rawServer(() => undefined);
    await closeServer(server);
    const closed = new MeterControlClient({ url, timeoutMs: TIMEOUT_MS });
    expect(await closed.disconnect({ commandId: 'D8-B', meterNo: 'M1', reason: REASON })).to.deep.include({ kind: 'no-answer', reason: 'unreachable' });
    closed.close();
    expect(() => new MeterControlClient({ url: 'https://head-end.example/soap/MeterControlService' })).to.throw(RangeError);
  });
});
