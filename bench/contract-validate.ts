// What contract validation costs the gateway on its two typical messages: a Pay request and a
// Reconcile batch of 5,000 entries (the largest request). Each figure — read, validate and write
// the canonical form — is printed next to reading alone with the same bounded reader, measured in
// the same run; the ratio is what validation and the protocol break add to parsing.
//
// Then reading alone, the hand-written reader (src/contract/xml-reader.ts) next to the saxes
// reader it replaced (test/support/saxes-reader.ts), on a 1 KB SOAP request as a channel sends it
// and on the Reconcile batch. Run alone: BENCH_ONLY=contract npm run bench

import { loadServiceContract } from '../src/contract/service-contract.ts';
import { parseXml } from '../src/contract/xml.ts';
import { parseXmlWithSaxes } from '../test/support/saxes-reader.ts';
import type { BenchRow } from './run.ts';

const CP = 'urn:gridbill:channel-payment:v1';

const PAY = `<cp:Pay xmlns:cp="${CP}"><cp:channelTxnId>ICBC20261120000123</cp:channelTxnId><cp:customerNo>3301000000018</cp:customerNo>`
  + '<cp:amount>300.00</cp:amount><cp:accountingDate>2026-11-20</cp:accountingDate><cp:billNo>2026103301000000018</cp:billNo></cp:Pay>';

function reconcileBatch(entries: number): string {
  const rows = Array.from({ length: entries }, (_, i) => `<cp:entry><cp:channelTxnId>ICBC2026111900${String(i).padStart(5, '0')}</cp:channelTxnId>`
    + `<cp:customerNo>33010000${String(i).padStart(5, '0')}</cp:customerNo><cp:amount>${(i % 500) + 1}.50</cp:amount></cp:entry>`);
  return `<cp:Reconcile xmlns:cp="${CP}"><cp:accountingDate>2026-11-19</cp:accountingDate><cp:totalCount>${entries}</cp:totalCount>`
    + `<cp:totalAmount>1.00</cp:totalAmount><cp:batchNo>1</cp:batchNo><cp:batchCount>1</cp:batchCount>${rows.join('')}</cp:Reconcile>`;
}

/** A QueryArrears request as a channel sends it: SOAP 1.1, a UsernameToken, indentation; about 1 KB. */
const SOAP_REQUEST_1KB = `<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cp="${CP}">
  <soap:Header>
    <wsse:Security soap:mustUnderstand="1" xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
        xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">
      <wsse:UsernameToken wsu:Id="UsernameToken-1">
        <wsse:Username>icbc-zj-0571</wsse:Username>
        <wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">kqXUo0G8mT5eC6z3p9Vn1rWcYb4=</wsse:Password>
        <wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">Wk3mN8q2xT5vB1cL9pR7sA==</wsse:Nonce>
        <wsu:Created>2026-11-20T09:30:00.000+08:00</wsu:Created>
      </wsse:UsernameToken>
    </wsse:Security>
  </soap:Header>
  <soap:Body>
    <cp:QueryArrears>
      <cp:customerNo>3301000000018</cp:customerNo>
    </cp:QueryArrears>
  </soap:Body>
</soap:Envelope>
`;

/** Calls per second of `fn`, run for about `durationMs` after a short warm-up. */
function rate(fn: () => void, durationMs: number): number {
  for (let i = 0; i < 20; i += 1) fn();
  let calls = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < durationMs) {
    fn();
    calls += 1;
    elapsed = performance.now() - started;
  }
  return calls / (elapsed / 1000);
}

export function contractValidateBench(durationMs = 2_000): BenchRow[] {
  const channel = loadServiceContract('ChannelPaymentService');
  const cases = [
    { name: 'Pay request', message: channel.operations.get('Pay')!.request, xml: PAY },
    { name: 'Reconcile batch, 5,000 entries', message: channel.operations.get('Reconcile')!.request, xml: reconcileBatch(5_000) },
  ];
  const validated = cases.map(({ name, message, xml }) => {
    const full = rate(() => {
      const result = message.validate(parseXml(xml));
      if (!result.ok) throw new Error(`${name}: ${JSON.stringify(result.violations)}`);
      message.write(result.value);
    }, durationMs);
    const parseOnly = rate(() => parseXml(xml), durationMs);
    return {
      name: `contract: read, validate and write canonically — ${name}`, value: full, unit: 'messages/s',
      reference: 'reading alone (bounded reader)', referenceValue: parseOnly,
    };
  });
  const reading = [
    { name: 'a 1 KB SOAP request', xml: new TextEncoder().encode(SOAP_REQUEST_1KB) },
    { name: 'Reconcile batch, 5,000 entries', xml: new TextEncoder().encode(cases[1]!.xml) },
  ].map(({ name, xml }): BenchRow => ({
    name: `contract: reading ${name} (bytes to tree)`, value: rate(() => parseXml(xml), durationMs), unit: 'messages/s',
    reference: 'the saxes reader it replaced', referenceValue: rate(() => parseXmlWithSaxes(xml), durationMs),
  }));
  return [...validated, ...reading];
}
