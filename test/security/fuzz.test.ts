// Thousands of random mutations of valid envelopes through the gateway's pipeline, in process:
// every one is answered with a defined status and a body, a denial names one of the stages, no
// stage throws, and whatever reaches the (stub) core is a canonical message that validates
// against the contract again.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import fc from 'fast-check';
import { createGatewayApp, readPolicyFile, type GatewayApp } from '../../src/gateway/gateway-app.ts';
import type { GatewayRequest } from '../../src/gateway/exchange.ts';
import type { CoreRequest } from '../../src/gateway/forward.ts';
import { STAGES } from '../../src/gateway/verdict.ts';
import { loadServiceContract } from '../../src/contract/service-contract.ts';
import { parseXml } from '../../src/contract/xml.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { secretBox } from '../../src/ops/secret-box.ts';
import { PASSWORD, coreFault, policyText } from '../gateway/gateway-harness.ts';
import { contentTypeFor, operation, securityHeader, soapEnvelope, type Version } from '../soap/soap-client.ts';

const STATUSES = new Set([200, 400, 403, 405, 413, 415, 500]);
const FRAGMENTS = [
  '<!DOCTYPE x>', '<!DOCTYPE x [<!ENTITY e "x">]>', '<?pi x?>', '&amp;', '&e;', '&#0;', '&#x1F600;', ']]>', '<![CDATA[x]]>', '<!-- c -->',
  '<a>', '</a>', '</', '/>', '<', '>', '"', "'", '=', ' xmlns:x="urn:x"', ' x:y="1"', ' soap:mustUnderstand="1"', '\u0000', '\uFFFF',
  '\uD800', '😀', '__proto__', '<cp:__proto__/>', '<cp:customerNo>1</cp:customerNo>', '<soap:Body>', '</soap:Body>', '<soap:Header/>',
  '1e3', 'NaN', '-0.01', '99999999999999999.99', ' ', '\r\n', '\t', 'xsi:nil="true"', ' xmlns="urn:gridbill:channel-payment:v1"',
];

type Mutation =
  | { readonly kind: 'insert'; readonly at: number; readonly text: string }
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'duplicate'; readonly at: number; readonly length: number }
  | { readonly kind: 'byte'; readonly at: number; readonly value: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 8 })) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
);

function mutate(base: Buffer, mutations: readonly Mutation[]): Buffer {
  let bytes = base;
  for (const m of mutations) {
    const at = bytes.length === 0 ? 0 : m.at % bytes.length;
    if (m.kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(m.text), bytes.subarray(at)]);
    else if (m.kind === 'delete') bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.length)]);
    else if (m.kind === 'duplicate') bytes = Buffer.concat([bytes.subarray(0, at + m.length), bytes.subarray(at)]);
    else {
      bytes = Buffer.from(bytes);
      if (bytes.length > 0) bytes[at] = m.value;
    }
  }
  return bytes;
}

describe('isolation gateway: fuzzing valid envelopes', function () {
  this.timeout(120_000);
  let app: GatewayApp;
  let dir: string;
  const forwarded: CoreRequest[] = [];
  const errors: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gridbill-fuzz-'));
    const box = secretBox(randomBytes(32));
    writeFileSync(join(dir, 'policy.json'), policyText(box, { 'bank-a': { ratePerSecond: 1_000_000, burst: 1_000_000, customerRatePerMinute: 1_000_000, customerBurst: 1_000_000 } }));
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => errors.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    app = await createGatewayApp({
      loadPolicy: () => readPolicyFile(join(dir, 'policy.json'), (sealed) => box.open(sealed)),
      forwarder: {
        async send(request) {
          forwarded.push(request);
          return { ok: true, status: 500, body: Buffer.from(coreFault(request.contentType.startsWith('text/xml') ? '1.1' : '1.2')) };
        },
        close() {},
      },
      logger: createLogger({ level: 'warn', role: 'gateway', stream }),
    });
  });
  after(() => {
    app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const bases = (['1.1', '1.2'] as Version[]).flatMap((version) => [
    [version, 'QueryArrears', operation('QueryArrears', { customerNo: '3301000000011' })],
    [version, 'Pay', operation('Pay', { channelTxnId: 'F1', customerNo: '3301000000011', amount: '19.50', accountingDate: '2026-11-28', billNo: ['2026093301000000011'] })],
  ] as const);

  it('answers every mutation with a defined status from a named stage, and forwards only what validates again', async () => {
    const contract = loadServiceContract('ChannelPaymentService');
    let denied = 0;
    await fc.assert(fc.asyncProperty(
      fc.nat({ max: bases.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(),
      async (which, mutations, withAction) => {
        const [version, op, body] = bases[which]!;
        // a fresh token each time: a replayed nonce would stop the run at authenticate
        const base = Buffer.from(soapEnvelope(version, body, securityHeader('bank-a', PASSWORD)));
        const request: GatewayRequest = {
          method: 'POST', tls: false, remoteAddress: '127.0.0.1', service: 'ChannelPaymentService', correlationId: 'fuzz-0001',
          headers: {
            'content-type': contentTypeFor(version, withAction && version === '1.2' ? `urn:gridbill:channel-payment:v1#${op}` : undefined),
            ...(withAction && version === '1.1' ? { soapaction: `"urn:gridbill:channel-payment:v1#${op}"` } : {}),
          },
          rawBody: mutate(base, mutations),
        };
        const before = forwarded.length;
        const answer = await app.pipeline.handle(request);
        expect(STATUSES.has(answer.status), String(answer.status)).to.equal(true);
        expect(answer.body.length).to.be.greaterThan(0);
        if (answer.denial) {
          denied += 1;
          expect(STAGES).to.include(answer.denial.stage);
        }
        for (const sent of forwarded.slice(before)) {
          const root = parseXml(sent.body);
          const element = root.children.at(-1)!.children[0]!;
          const opContract = contract.operationOfRequest(element)!;
          expect(opContract.request.validate(element).ok, sent.body).to.equal(true);
        }
      },
    ), { numRuns: 3000, seed: 20261128 });
    expect(errors.filter((l) => l.includes('gateway stage failed'))).to.deep.equal([]);
    expect(denied).to.be.greaterThan(1000);
    expect(forwarded.length).to.be.greaterThan(0);
  });
});
