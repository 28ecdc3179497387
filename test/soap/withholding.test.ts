// SignWithholding and CancelWithholding over real HTTP on loopback, on SOAP 1.1 and 1.2: the core
// handler on port 0, a migrated SQLite store with a customer per version and one registered bank.

import { expect } from 'chai';
import { addChannel } from '../../src/usecases/manage-channels.ts';
import { addCustomer } from '../support/payments.ts';
import { startTestCore, type TestCore } from '../support/test-core.ts';
import { CP, bodyOf, call, faultOf, fieldsOf, operation, securityHeader, type Version } from './soap-client.ts';

const PASSWORD = 'correct horse battery';
const ACTION = (op: string) => `urn:gridbill:channel-payment:v1#${op}`;
const CUSTOMER: Record<Version, string> = { '1.1': '3301000000211', '1.2': '3301000000212' };
const ACCOUNT = '6222021234567890123';
const MASKED = '6222***********0123';
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+08:00$/;

describe('ChannelPaymentService withholding over HTTP', function () {
  this.timeout(30_000);
  let core: TestCore;
  let endpoint: string;

  before(async () => {
    core = await startTestCore(async (store, box) => {
      for (const customerNo of Object.values(CUSTOMER)) await addCustomer(store, customerNo);
      await addChannel(store, box, {
        code: 'bank-w', name: 'Bank W', kind: 'bank', password: PASSWORD, operations: ['SignWithholding', 'CancelWithholding'],
      }, 'test', new Date().toISOString());
    }, { level: 'debug' });
    endpoint = core.endpoint('ChannelPaymentService');
  });

  after(async () => core?.stop());

  for (const version of ['1.1', '1.2'] as const) {
    it(`SOAP ${version}: sign, sign again, a conflicting sign, cancel, cancel again — answered in schema order, the account masked`, async () => {
      const customerNo = CUSTOMER[version];
      const agreementId = `WH-${version.replace('.', '')}`;
      const send = (op: string, fields: Record<string, string>) => call(endpoint, operation(op, fields), {
        version, header: securityHeader('bank-w', PASSWORD), action: version === '1.1' ? `"${ACTION(op)}"` : ACTION(op),
      });
      const signFields = { agreementId, customerNo, bankAccount: ACCOUNT, accountHolderName: '张三丰' };

      const signed = await send('SignWithholding', signFields);
      expect(signed.status, signed.text).to.equal(200);
      const answer = bodyOf(signed, version);
      expect([answer.uri, answer.local]).to.deep.equal([CP, 'SignWithholdingResponse']);
      const fields = fieldsOf(answer);
      expect(fields.slice(0, 4)).to.deep.equal([['agreementId', agreementId], ['customerNo', customerNo], ['bankAccount', MASKED], ['status', 'ACTIVE']]);
      expect(fields[4]![0]).to.equal('changedAt');
      expect(fields[4]![1]).to.match(TIMESTAMP);

      const again = await send('SignWithholding', signFields);
      expect(again.status).to.equal(200);
      expect(fieldsOf(bodyOf(again, version))).to.deep.equal(fields);

      const conflict = await send('SignWithholding', { ...signFields, bankAccount: '6222020000000000001' });
      expect(conflict.status).to.equal(500);
      expect(faultOf(conflict, version)).to.include({ code: version === '1.1' ? 'soap:Client' : 'soap:Sender', detailCode: 'AGREEMENT_ID_CONFLICT' });

      const cancelled = await send('CancelWithholding', { agreementId, customerNo });
      expect(cancelled.status, cancelled.text).to.equal(200);
      const cancelAnswer = bodyOf(cancelled, version);
      expect(cancelAnswer.local).to.equal('CancelWithholdingResponse');
      const cancelFields = fieldsOf(cancelAnswer);
      expect(cancelFields.slice(0, 4)).to.deep.equal([['agreementId', agreementId], ['customerNo', customerNo], ['bankAccount', MASKED], ['status', 'CANCELLED']]);
      expect(cancelFields[4]![1]).to.match(TIMESTAMP);
      const cancelledAgain = await send('CancelWithholding', { agreementId, customerNo });
      expect(fieldsOf(bodyOf(cancelledAgain, version))).to.deep.equal(cancelFields);

      const unknown = await send('CancelWithholding', { agreementId: 'WH-NONE', customerNo });
      expect(faultOf(unknown, version)).to.include({ detailCode: 'AGREEMENT_NOT_FOUND' });

      for (const reply of [signed, again, conflict, cancelled, cancelledAgain, unknown]) expect(reply.text).not.to.include(ACCOUNT);
      expect(core.logLines.join('\n')).not.to.include(ACCOUNT);
    });
  }
});
