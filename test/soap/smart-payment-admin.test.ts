// BillingAdminService.RunEstimation and ListControlCommands over HTTP: a smart-payment customer is
// estimated for a past day through the service, a second call charges nothing, and the disconnect
// command the estimation raised is listed with the contract's fields.

import { expect } from 'chai';
import { addChannel } from '../../src/usecases/manage-channels.ts';
import { registerCustomer } from '../../src/usecases/register-customer.ts';
import { insertControlCommand } from '../../src/store/control.repository.ts';
import { startTestCore, type TestCore } from '../support/test-core.ts';
import { bodyOf, call, faultOf, fieldsOf, securityHeader } from './soap-client.ts';

const BA = 'urn:gridbill:billing-admin:v1';
const PASSWORD = 'estimation system 1';

function request(op: string, fields: ReadonlyArray<readonly [string, string]>): string {
  return `<ba:${op} xmlns:ba="${BA}">${fields.map(([n, v]) => `<ba:${n}>${v}</ba:${n}>`).join('')}</ba:${op}>`;
}

describe('BillingAdminService smart-payment operations over HTTP', function () {
  this.timeout(60_000);
  let core: TestCore;
  const send = (op: string, fields: ReadonlyArray<readonly [string, string]>) => call(core.endpoint('BillingAdminService'), request(op, fields), {
    version: '1.1', header: securityHeader('est', PASSWORD), action: `"${BA}#${op}"`,
  });

  before(async () => {
    core = await startTestCore(async (store, box) => {
      await addChannel(store, box, { code: 'est', name: '费控系统', kind: 'internal', password: PASSWORD, operations: ['RunEstimation', 'ListControlCommands'] }, 'test', new Date().toISOString());
      await registerCustomer(store, {
        customerNo: '3300000007101', name: '王五', category: 'residential', voltage: 'below-1kv', address: '杭州市上城区1号', phone: '13900007101',
        idNumber: null, creditCode: null, households: 1, tariffCode: 'zj-residential-ladder', timeOfUse: false, paymentMode: 'smart-prepaid',
        ladderYearStartMonth: 1, capacityKva: null, contractDemandKw: null, basicChargeBasis: null, powerFactorStandard: null,
        meters: [{ meterNo: 'M7101', ctRatio: 1, ptRatio: 1, installedOn: '2020-01-01', registers: [{ kind: 'total', digits: 6, rolloverAllowed: true, readings: [
          { readOn: '2026-10-01', valueHundredths: 10_000, source: 'actual' }, { readOn: '2026-10-02', valueHundredths: 12_000, source: 'actual' },
        ] }] }],
      }, new Date().toISOString());
    });
  });

  after(async () => core?.stop());

  it('RunEstimation charges a past day once and counts the cut-off notice', async () => {
    const fields = [['operator', 'job.estimation'], ['date', '2026-10-02'], ['segment', 'residential']] as const;
    const first = fieldsOf(bodyOf(await send('RunEstimation', fields), '1.1'));
    expect(first).to.deep.equal([
      ['date', '2026-10-02'], ['accounts', '1'], ['estimatedKwh', '20'], ['estimatedAmount', '10.76'], ['reminders', '0'],
      ['cutoffNotices', '1'], ['disconnectCommands', '0'], ['reconnectCommands', '0'],
    ]);
    const again = fieldsOf(bodyOf(await send('RunEstimation', fields), '1.1'));
    expect(again.find(([n]) => n === 'accounts')).to.deep.equal(['accounts', '0']);
  });

  it('RunEstimation refuses a day that has not ended', async () => {
    const reply = await send('RunEstimation', [['operator', 'job.estimation'], ['date', '2099-01-01']]);
    expect(reply.status).to.equal(500);
    expect(faultOf(reply, '1.1').detailCode).to.equal('ESTIMATION_DATE_INVALID');
  });

  it('ListControlCommands pages the commands with the contract fields', async () => {
    const customer = await core.store.db.selectFrom('customers').select('id').where('customer_no', '=', '3300000007101').executeTakeFirstOrThrow();
    const meter = await core.store.db.selectFrom('meters').select('id').where('meter_no', '=', 'M7101').executeTakeFirstOrThrow();
    for (const n of [1, 2]) {
      await insertControlCommand(core.store, {
        command_id: `DLIST-${n}`, customer_id: Number(customer.id), meter_id: Number(meter.id), kind: 'DISCONNECT', status: 'PENDING_APPROVAL',
        reason: '欠费停电', created_at: '2026-10-03T01:00:00.000Z', approved_by: null, approved_at: null, sent_at: null, completed_at: null, last_error: null,
      });
    }
    const page = bodyOf(await send('ListControlCommands', [['status', 'PENDING_APPROVAL'], ['from', '2026-10-03'], ['to', '2026-10-03'], ['pageSize', '1']]), '1.1');
    const [command, more] = fieldsOf(page);
    expect(more).to.deep.equal(['more', 'true']);
    expect(command![0]).to.equal('command');
    const next = bodyOf(await send('ListControlCommands', [['customerNo', '3300000007101'], ['afterId', '1'], ['pageSize', '10']]), '1.1');
    expect(fieldsOf(next).at(-1)).to.deep.equal(['more', 'false']);
    const empty = bodyOf(await send('ListControlCommands', [['from', '2026-10-04'], ['pageSize', '10']]), '1.1');
    expect(fieldsOf(empty)).to.deep.equal([['more', 'false']]);
  });
});
