// Servers for the gateway benchmark, each in its own process (the load generator runs in the parent):
//   gateway <coreUrl> <policyFile> <keyBase64> — the isolation gateway in front of a core
//   stub                                        — a stub core: a raw node:http server answering a fixed,
//                                                 valid QueryArrearsResponse (what the gateway alone costs)
// Prints one line `{"port":N}` when it listens; exits on SIGTERM.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { auditLineWriter } from '../../src/gateway/audit.ts';
import { createGatewayApp, readPolicyFile } from '../../src/gateway/gateway-app.ts';
import { httpForwarder } from '../../src/gateway/forward.ts';
import { startHttpServer } from '../../src/ops/http-server.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { secretBox } from '../../src/ops/secret-box.ts';

export const STUB_ANSWER = '<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
  + '<QueryArrearsResponse xmlns="urn:gridbill:channel-payment:v1"><customerNo>3301000000011</customerNo><customerName>张*</customerName>'
  + '<address>杭州市西湖区***</address><asOf>2026-11-28</asOf><receivable><billNo>2026093301000000011</billNo><period>2026-09</period>'
  + '<energyCharge>100.00</energyCharge><lateFee>0.00</lateFee><amountDue>100.00</amountDue><dueDate>2026-10-15</dueDate></receivable>'
  + '<prepaidBalance>0.00</prepaidBalance><totalDue>100.00</totalDue></QueryArrearsResponse></soap:Body></soap:Envelope>';

async function gateway(coreUrl: string, policyFile: string, keyBase64: string): Promise<number> {
  // the audit lines are written as serve writes them, to a sink: the terminal is not measured
  const logger = createLogger({ level: 'info', role: 'gateway', stream: new PassThrough().resume() });
  const sink = new PassThrough().resume();
  const box = secretBox(Buffer.from(keyBase64, 'base64'));
  const app = await createGatewayApp({
    loadPolicy: () => readPolicyFile(policyFile, (sealed) => box.open(sealed)), forwarder: httpForwarder({ coreUrl }), logger,
    plainHttpLoopbackOnly: true, audit: auditLineWriter((line) => sink.write(line)),
  });
  const server = await startHttpServer({ name: 'gateway', host: '127.0.0.1', port: 0, handler: app.handler, logger });
  process.on('SIGTERM', () => {
    void server.stop().then(() => {
      app.close();
      process.exit(0);
    });
  });
  return Number(new URL(server.url).port);
}

async function stub(): Promise<number> {
  const body = Buffer.from(STUB_ANSWER);
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': body.length });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.on('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
  return (server.address() as AddressInfo).port;
}

const [role, coreUrl, policyFile, key] = process.argv.slice(2);
const port = role === 'gateway' ? await gateway(coreUrl!, policyFile!, key!) : await stub();
process.stdout.write(`${JSON.stringify({ port })}\n`);
