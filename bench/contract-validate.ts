// What contract validation costs the gateway on its two typical messages: a Pay request and a
// Reconcile batch of 5,000 entries (the largest request). Each figure — read, validate and write
// the canonical form — is printed next to reading alone with the same bounded reader, measured in
// the same run; the ratio is what validation and the protocol break add to parsing.

import { loadServiceContract } from '../src/contract/service-contract.ts';
import { parseXml } from '../src/contract/xml.ts';
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
  return cases.map(({ name, message, xml }) => {
    const full = rate(() => {
      const result = message.validate(parseXml(xml));
      if (!result.ok) throw new Error(`${name}: ${JSON.stringify(result.violations)}`);
      message.write(result.value);
    }, durationMs);
    const parseOnly = rate(() => parseXml(xml), durationMs);
    return {
      name: `contract: read, validate and write canonically — ${name}`, value: full, unit: 'messages/s',
      reference: 'reading alone (bounded saxes reader)', referenceValue: parseOnly,
    };
  });
}
