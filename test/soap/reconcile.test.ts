// ChannelPaymentService.Reconcile over real HTTP on loopback, on SOAP 1.1 and 1.2: the core
// handler on port 0, a migrated SQLite store with a customer, payments of past days and one bank.

import { expect } from 'chai';
import { addChannel } from '../../src/usecases/manage-channels.ts';
import { pay } from '../../src/usecases/pay.ts';
import { addCustomer, nowOn } from '../support/payments.ts';
import { startTestCore, type TestCore } from '../support/test-core.ts';
import type { XmlNode } from '../wsdl/xml-tree.ts';
import { CP, bodyOf, call, faultOf, fieldsOf, operation, securityHeader, type Version } from './soap-client.ts';

const PASSWORD = 'correct horse battery';
const ACTION = 'urn:gridbill:channel-payment:v1#Reconcile';
const CUSTOMER = '3301000000311';
const DAY: Record<Version, string> = { '1.1': '2026-01-10', '1.2': '2026-01-11' };

function entryXml(channelTxnId: string, customerNo: string, amount: string): string {
  return `<cp:channelTxnId>${channelTxnId}</cp:channelTxnId><cp:customerNo>${customerNo}</cp:customerNo><cp:amount>${amount}</cp:amount>`;
}

function child(node: XmlNode, local: string): XmlNode {
  const found = node.children.find((c) => c.local === local && c.uri === CP);
  if (!found) throw new Error(`no ${local}`);
  return found;
}

describe('ChannelPaymentService Reconcile over HTTP', function () {
  this.timeout(30_000);
  let core: TestCore;
  let endpoint: string;

  before(async () => {
    core = await startTestCore(async (store, box) => {
      await addCustomer(store, CUSTOMER);
      await addChannel(store, box, { code: 'bank-r', name: 'Bank R', kind: 'bank', password: PASSWORD, operations: ['Reconcile'] }, 'test', nowOn('2026-01-01'));
      await addChannel(store, box, { code: 'bank-q', name: 'Bank Q', kind: 'bank', password: PASSWORD, operations: ['Pay'] }, 'test', nowOn('2026-01-01'));
      for (const version of ['1.1', '1.2'] as const) {
        const date = DAY[version];
        for (const [txn, amountFen] of [['P1', 30_000], ['P2', 5_000]] as const) {
          await pay(store, { channelCode: 'bank-r', channelTxnId: `${txn}-${date}`, customerNo: CUSTOMER, amountFen, accountingDate: date, now: nowOn(date) });
        }
      }
    });
    endpoint = core.endpoint('ChannelPaymentService');
  });

  after(async () => core?.stop());

  const send = (version: Version, fields: Record<string, string | readonly string[]>, user = 'bank-r') => call(endpoint, operation('Reconcile', fields), {
    version, header: securityHeader(user, PASSWORD), action: version === '1.1' ? `"${ACTION}"` : ACTION,
  });

  for (const version of ['1.1', '1.2'] as const) {
    it(`SOAP ${version}: two batches, RECEIVED then RECONCILED with the discrepancies in schema order; repeats answered alike`, async () => {
      const date = DAY[version];
      const totals = { accountingDate: date, totalCount: '2', totalAmount: '350.50' };
      const second = { ...totals, batchNo: '2', batchCount: '2', entry: [entryXml(`X9-${date}`, CUSTOMER, '50.50')] };
      const received = await send(version, second);
      expect(received.status, received.text).to.equal(200);
      const receivedBody = bodyOf(received, version);
      expect([receivedBody.uri, receivedBody.local]).to.deep.equal([CP, 'ReconcileResponse']);
      expect(fieldsOf(receivedBody)).to.deep.equal([['accountingDate', date], ['status', 'RECEIVED'], ['batchesReceived', '1']]);

      const first = { ...totals, batchNo: '1', batchCount: '2', entry: [entryXml(`P1-${date}`, CUSTOMER, '300.00')] };
      const done = await send(version, first);
      expect(done.status, done.text).to.equal(200);
      const body = bodyOf(done, version);
      expect(fieldsOf(body)).to.deep.equal([['accountingDate', date], ['status', 'RECONCILED'], ['batchesReceived', '2'], ['result', '…']]);
      const result = child(body, 'result');
      expect(fieldsOf(result)).to.deep.equal([
        ['matchedCount', '1'], ['matchedAmount', '300.00'], ['channelOnlyCount', '1'], ['platformOnlyCount', '1'], ['amountMismatchCount', '0'],
        ['discrepancy', '…'], ['discrepancy', '…'], ['discrepanciesTruncated', 'false'],
      ]);
      const items = result.children.filter((c) => c.local === 'discrepancy').map(fieldsOf);
      expect(items).to.deep.equal([
        [['kind', 'CHANNEL_ONLY'], ['channelTxnId', `X9-${date}`], ['customerNo', CUSTOMER], ['channelAmount', '50.50']],
        [['kind', 'PLATFORM_ONLY'], ['channelTxnId', `P2-${date}`], ['customerNo', CUSTOMER], ['platformAmount', '50.00']],
      ]);

      const again = await send(version, first);
      expect(again.status).to.equal(200);
      expect(again.text.replace(/<[^>]*correlationId[^<]*<\/[^>]*>/g, '')).to.equal(done.text.replace(/<[^>]*correlationId[^<]*<\/[^>]*>/g, ''));
      expect(fieldsOf(bodyOf(await send(version, second), version))).to.deep.equal([['accountingDate', date], ['status', 'RECEIVED'], ['batchesReceived', '1']]);
    });

    it(`SOAP ${version}: every refusal is a Client fault with its code`, async () => {
      const date = DAY[version];
      const sender = version === '1.1' ? 'soap:Client' : 'soap:Sender';
      const cases: [Record<string, string | readonly string[]>, string][] = [
        [{ accountingDate: date, totalCount: '0', totalAmount: '0.00', batchNo: '1', batchCount: '1' }, 'RECONCILE_DAY_RECONCILED'],
        [{ accountingDate: '2099-01-01', totalCount: '0', totalAmount: '0.00', batchNo: '1', batchCount: '1' }, 'RECONCILE_DATE_NOT_PAST'],
        [{ accountingDate: '2026-02-01', totalCount: '1', totalAmount: '0.00', batchNo: '1', batchCount: '1' }, 'RECONCILE_TOTALS_MISMATCH'],
        [{ accountingDate: '2026-02-02', totalCount: '0', totalAmount: '0.00', batchNo: '2', batchCount: '1' }, 'VALIDATION_FAILED'],
        [{ accountingDate: '2026-02-02', totalCount: '1e3', totalAmount: '0.00', batchNo: '1', batchCount: '1' }, 'VALIDATION_FAILED'],
        [{ accountingDate: '2026-02-02', totalCount: '0', totalAmount: '1.005', batchNo: '1', batchCount: '1' }, 'VALIDATION_FAILED'],
        [{ accountingDate: '2026-02-02', totalCount: '2', totalAmount: '2.00', batchNo: '1', batchCount: '1', entry: [entryXml('D1', CUSTOMER, '1.00'), entryXml('D1', CUSTOMER, '1.00')] }, 'VALIDATION_FAILED'],
        [{ accountingDate: '2026-02-02', totalCount: '1', totalAmount: '0.00', batchNo: '1', batchCount: '1', entry: [entryXml('D1', CUSTOMER, '0.00')] }, 'PAYMENT_AMOUNT_INVALID'],
      ];
      for (const [fields, code] of cases) {
        const reply = await send(version, fields);
        expect(reply.status, `${code}: ${reply.text}`).to.equal(500);
        expect(faultOf(reply, version), JSON.stringify(fields)).to.include({ code: sender, detailCode: code });
      }
      // A conflicting batch of a day still being received.
      const partial = { accountingDate: `2026-03-0${version === '1.1' ? 1 : 2}`, totalCount: '2', totalAmount: '2.00', batchNo: '1', batchCount: '2' };
      expect((await send(version, { ...partial, entry: [entryXml('K1', CUSTOMER, '1.00')] })).status).to.equal(200);
      expect(faultOf(await send(version, { ...partial, entry: [entryXml('K1', CUSTOMER, '1.01')] }), version)).to.include({ detailCode: 'RECONCILE_BATCH_CONFLICT' });
      // A channel without the operation.
      expect(faultOf(await send(version, partial, 'bank-q'), version)).to.include({ detailCode: 'OPERATION_NOT_ALLOWED' });
    });
  }
});
