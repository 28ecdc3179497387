// BillingAdminService over HTTP on loopback: an internal system registered as a channel keeps
// customers, meters, readings and tariffs and drives a month through the billing cycle — run,
// review, issue — each operation's answer checked field by field against the store, and each
// fault it can give provoked.

import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { insertBillRun } from '../../src/store/bill.repository.ts';
import { findCustomerByNo, findAccountByCustomer } from '../../src/store/customer.repository.ts';
import { addChannel } from '../../src/usecases/manage-channels.ts';
import { startTestCore, type TestCore } from '../support/test-core.ts';
import { TARIFF_FIXTURES } from '../support/tariffs.ts';
import { bodyOf, call, faultOf, fieldsOf, securityHeader, type Reply, type Version } from './soap-client.ts';
import { childrenOf, type XmlNode } from '../wsdl/xml-tree.ts';

const BA = 'urn:gridbill:billing-admin:v1';
const PASSWORD = 'meter data collection 1';
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+08:00$/;

type Field = readonly [string, string | readonly Field[]];

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}

function xml(fields: readonly Field[]): string {
  return fields.map(([name, value]) => `<ba:${name}>${typeof value === 'string' ? escape(value) : xml(value)}</ba:${name}>`).join('');
}

function request(op: string, fields: readonly Field[]): string {
  return `<ba:${op} xmlns:ba="${BA}">${xml(fields)}</ba:${op}>`;
}

function meter(meterNo: string, installedOn: string, readings: ReadonlyArray<readonly [string, string, string]>, kinds = ['total']): Field {
  return ['meter', [
    ['meterNo', meterNo], ['ctRatio', '1'], ['ptRatio', '1'], ['installedOn', installedOn],
    ...kinds.map((kind): Field => ['register', [
      ['kind', kind], ['digits', '6'], ['rolloverAllowed', 'true'],
      ...readings.map(([readOn, value, source]): Field => ['reading', [['readOn', readOn], ['value', value], ['source', source]]]),
    ]]),
  ]];
}

function customer(customerNo: string, meters: readonly Field[], extra: readonly Field[] = []): Field[] {
  return [
    ['operator', 'clerk.wang'], ['customerNo', customerNo], ['name', '李四'], ['category', 'residential'], ['voltage', 'below-1kv'],
    ['address', '杭州市西湖区文二路8号'], ['phone', '13900001111'], ['idNumber', '33010619900101123X'], ['households', '1'],
    ['tariffCode', 'zj-residential-ladder'], ['timeOfUse', 'false'], ['paymentMode', 'postpaid'], ['ladderYearStartMonth', '1'],
    ...extra, ...meters,
  ];
}

/** [name, text] pairs of a node's children, nested ones as their own pairs. */
function value(node: XmlNode, name: string): string | undefined {
  return fieldsOf(node).find(([n]) => n === name)?.[1];
}

describe('BillingAdminService over HTTP', function () {
  this.timeout(60_000);
  let core: TestCore;
  let endpoint: string;

  const send = (op: string, fields: readonly Field[], version: Version = '1.1'): Promise<Reply> => call(endpoint, request(op, fields), {
    version, header: securityHeader('mdc', PASSWORD), action: version === '1.1' ? `"${BA}#${op}"` : `${BA}#${op}`,
  });
  const ok = async (op: string, fields: readonly Field[], version: Version = '1.1'): Promise<XmlNode> => {
    const reply = await send(op, fields, version);
    expect(reply.status, reply.text).to.equal(200);
    const answer = bodyOf(reply, version);
    expect([answer.uri, answer.local]).to.deep.equal([BA, `${op}Response`]);
    return answer;
  };
  const fault = async (op: string, fields: readonly Field[], code: string, version: Version = '1.1'): Promise<void> => {
    const reply = await send(op, fields, version);
    expect(reply.status, reply.text).to.equal(500);
    expect(faultOf(reply, version).detailCode, reply.text).to.equal(code);
  };

  before(async () => {
    core = await startTestCore(async (store, box) => {
      await addChannel(store, box, {
        code: 'mdc', name: '用电信息采集系统', kind: 'internal', password: PASSWORD,
        operations: ['CreateCustomer', 'UpdateCustomer', 'InstallMeter', 'ReplaceMeter', 'SubmitReadings', 'PublishTariff', 'RunBilling',
          'GetBillRun', 'ListExceptions', 'ResolveException', 'IssueBills', 'GetBill', 'OpenOnlineBanking'],
      }, 'test', new Date().toISOString());
    });
    endpoint = core.endpoint('BillingAdminService');
  });

  after(async () => core?.stop());

  describe('customers and meters', () => {
    it('CreateCustomer stores the customer, its account, meter, register and readings; the audit names no personal data', async () => {
      const answer = await ok('CreateCustomer', customer('3300000000201', [meter('M201', '2020-01-01', [['2026-09-30', '1234.00', 'actual']])]));
      expect(fieldsOf(answer)[0]).to.deep.equal(['customerNo', '3300000000201']);
      expect(value(answer, 'createdAt')).to.match(TIMESTAMP);
      const row = await findCustomerByNo(core.store, '3300000000201');
      expect(row).to.include({ name: '李四', category: 'residential', tariff_code: 'zj-residential-ladder', id_number: '33010619900101123X' });
      expect(await findAccountByCustomer(core.store, row!.id)).to.include({ payment_mode: 'postpaid', ladder_year_start_month: 1 });
      const readings = await core.store.db.selectFrom('readings').innerJoin('registers', 'registers.id', 'readings.register_id')
        .innerJoin('meters', 'meters.id', 'registers.meter_id').select(['meters.meter_no', 'readings.value_hundredths', 'readings.read_on'])
        .where('meters.meter_no', '=', 'M201').execute();
      expect(readings).to.deep.equal([{ meter_no: 'M201', value_hundredths: 123_400, read_on: '2026-09-30' }]);
      const audit = await core.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'customer-create').execute();
      expect(audit).to.have.length(1);
      expect(audit[0]).to.include({ actor: 'clerk.wang', subject: '3300000000201' });
      expect(audit[0]!.detail).not.to.include('33010619900101123X').and.not.to.include('13900001111');
    });

    it('CreateCustomer refuses a taken number, an unpublished tariff, a taken meter, a register twice, a reading too wide, a malformed number', async () => {
      await ok('CreateCustomer', customer('3300000000202', [meter('M202', '2020-01-01', [['2026-09-30', '500.00', 'actual']])]));
      await fault('CreateCustomer', customer('3300000000202', []), 'CUSTOMER_EXISTS');
      await fault('CreateCustomer', customer('3300000000290', []).map(([n, v]): Field => [n, n === 'tariffCode' ? 'no-such-tariff' : v]), 'TARIFF_NOT_FOUND');
      await fault('CreateCustomer', customer('3300000000291', [meter('M201', '2020-01-01', [])]), 'METER_EXISTS');
      await fault('CreateCustomer', customer('3300000000292', [meter('M292', '2020-01-01', [], ['total', 'total'])]), 'METER_INVALID');
      await fault('CreateCustomer', customer('3300000000293', [meter('M293', '2020-01-01', [['2026-09-30', '1234567.00', 'actual']])]), 'READING_INVALID');
      await fault('CreateCustomer', customer('33000ABC', []), 'VALIDATION_FAILED');
      for (const no of ['3300000000290', '3300000000291', '3300000000292', '3300000000293']) expect(await findCustomerByNo(core.store, no)).to.equal(undefined);
    });

    it('UpdateCustomer changes only the elements sent; an unknown customer or tariff is refused', async () => {
      const answer = await ok('UpdateCustomer', [
        ['operator', 'clerk.wang'], ['customerNo', '3300000000202'], ['name', '李四新'], ['tariffCode', 'zj-residential-shared'], ['paymentMode', 'smart-prepaid'],
      ]);
      expect(fieldsOf(answer)[0]).to.deep.equal(['customerNo', '3300000000202']);
      expect(value(answer, 'updatedAt')).to.match(TIMESTAMP);
      const row = await findCustomerByNo(core.store, '3300000000202');
      expect(row).to.include({ name: '李四新', tariff_code: 'zj-residential-shared', address: '杭州市西湖区文二路8号', phone: '13900001111' });
      expect(await findAccountByCustomer(core.store, row!.id)).to.include({ payment_mode: 'smart-prepaid' });
      await fault('UpdateCustomer', [['operator', 'clerk.wang'], ['customerNo', '3300000000299'], ['name', '王五']], 'CUSTOMER_NOT_FOUND');
      await fault('UpdateCustomer', [['operator', 'clerk.wang'], ['customerNo', '3300000000202'], ['tariffCode', 'no-such-tariff']], 'TARIFF_NOT_FOUND');
      await ok('UpdateCustomer', [['operator', 'clerk.wang'], ['customerNo', '3300000000202'], ['tariffCode', 'zj-residential-ladder']]);
    });

    it('InstallMeter adds a meter to a customer; an unknown customer or a taken meter number is refused', async () => {
      const answer = await ok('InstallMeter', [['operator', 'clerk.wang'], ['customerNo', '3300000000201'], meter('M201X', '2026-11-01', [['2026-11-01', '0', 'install']])]);
      expect(fieldsOf(answer)).to.deep.equal([['customerNo', '3300000000201'], ['meterNo', 'M201X'], ['installedOn', '2026-11-01']]);
      await fault('InstallMeter', [['operator', 'clerk.wang'], ['customerNo', '3300000000299'], meter('M299', '2026-11-01', [])], 'CUSTOMER_NOT_FOUND');
      await fault('InstallMeter', [['operator', 'clerk.wang'], ['customerNo', '3300000000201'], meter('M202', '2026-11-01', [])], 'METER_EXISTS');
    });

    it('ReplaceMeter removes the old meter with its removal readings and installs the new one the same day', async () => {
      await ok('CreateCustomer', customer('3300000000203', [meter('M203', '2020-01-01', [['2026-09-30', '1000.00', 'actual']])]));
      const exchange = (over: Partial<Record<'old' | 'removedOn' | 'newNo' | 'installedOn' | 'kind', string>> = {}): Field[] => [
        ['operator', 'fitter.zhao'], ['customerNo', '3300000000203'], ['oldMeterNo', over.old ?? 'M203'], ['removedOn', over.removedOn ?? '2026-10-15'],
        ['removalReading', [['kind', over.kind ?? 'total'], ['value', '1100.00']]],
        ['newMeter', meter(over.newNo ?? 'M203B', over.installedOn ?? '2026-10-15', [[over.installedOn ?? '2026-10-15', '0', 'install'], ['2026-10-31', '90.00', 'actual']])[1]],
      ];
      await fault('ReplaceMeter', exchange({ old: 'M201' }), 'METER_NOT_FOUND');
      await fault('ReplaceMeter', exchange({ installedOn: '2026-10-16' }), 'METER_EXCHANGE_INVALID');
      await fault('ReplaceMeter', exchange({ kind: 'peak' }), 'METER_EXCHANGE_INVALID');
      await fault('ReplaceMeter', exchange({ newNo: 'M201' }), 'METER_EXISTS');
      const answer = await ok('ReplaceMeter', exchange());
      expect(fieldsOf(answer)).to.deep.equal([['customerNo', '3300000000203'], ['oldMeterNo', 'M203'], ['newMeterNo', 'M203B'], ['replacedOn', '2026-10-15']]);
      const old = await core.store.db.selectFrom('meters').selectAll().where('meter_no', '=', 'M203').executeTakeFirstOrThrow();
      expect(old).to.include({ status: 'removed', removed_on: '2026-10-15' });
      const removal = await core.store.db.selectFrom('readings').innerJoin('registers', 'registers.id', 'readings.register_id')
        .select(['readings.value_hundredths', 'readings.source']).where('registers.meter_id', '=', old.id).where('readings.read_on', '=', '2026-10-15').execute();
      expect(removal).to.deep.equal([{ value_hundredths: 110_000, source: 'removal' }]);
      await fault('ReplaceMeter', exchange({ newNo: 'M203C' }), 'METER_EXCHANGE_INVALID'); // M203 is gone now
    });
  });

  describe('readings and tariffs', () => {
    it('SubmitReadings stores the good meters and lists each problem by its index; a bad reading keeps its meter out', async () => {
      const reading = (meterNo: string, readOn: string, v: string): Field => ['reading', [['meterNo', meterNo], ['register', 'total'], ['readOn', readOn], ['value', v], ['source', 'actual']]];
      const answer = await ok('SubmitReadings', [
        ['operator', 'mdc.batch'], reading('M201', '2026-10-31', '1434.00'), reading('M999', '2026-10-31', '1.00'), reading('M202', '2026-10-31', '1234567.00'),
      ]);
      const fields = fieldsOf(answer);
      expect(fields.slice(0, 2)).to.deep.equal([['accepted', '1'], ['rejected', '2']]);
      const problems = childrenOf(answer, BA, 'problem').map((p) => [value(p, 'index'), value(p, 'meterNo'), value(p, 'field')]);
      expect(problems).to.deep.equal([['2', 'M999', 'meterNo'], ['3', 'M202', 'value']]);
      const again = await ok('SubmitReadings', [['operator', 'mdc.batch'], reading('M201', '2026-10-31', '1434.00')]);
      expect(fieldsOf(again)).to.deep.equal([['accepted', '1'], ['rejected', '0']]);
    });

    it('PublishTariff checks a document (dry run), stores it, and leaves it alone the second time; a document beyond 64 KiB is read', async () => {
      const doc = JSON.parse(readFileSync(`${TARIFF_FIXTURES}zj-residential-shared.json`, 'utf8')) as Record<string, unknown>;
      const text = JSON.stringify({ ...doc, code: 'zj-test-shared' });
      const publish = (document: string, dryRun?: string) => [['operator', 'pricing.chen'], ['document', document], ...(dryRun ? [['dryRun', dryRun] as const] : [])] as Field[];
      const dry = await ok('PublishTariff', publish(text, 'true'));
      expect(fieldsOf(dry).slice(0, 2)).to.deep.equal([['code', 'zj-test-shared'], ['dryRun', 'true']]);
      expect(childrenOf(dry, BA, 'stored')).to.have.length.greaterThan(0);
      expect(await core.store.db.selectFrom('tariffs').select('id').where('code', '=', 'zj-test-shared').execute()).to.deep.equal([]);
      // JSON whitespace pads the document past the general text bound (64 KiB).
      const padded = `{${' '.repeat(70_000)}${text.slice(1)}`;
      const stored = await ok('PublishTariff', publish(padded));
      expect(value(stored, 'dryRun')).to.equal('false');
      expect(fieldsOf(childrenOf(stored, BA, 'stored')[0]!)[0]).to.deep.equal(['version', '1']);
      const again = await ok('PublishTariff', publish(text));
      expect(childrenOf(again, BA, 'stored')).to.deep.equal([]);
      expect(childrenOf(again, BA, 'unchanged').length).to.be.greaterThan(0);
      await fault('PublishTariff', publish('{"format":"gridbill.tariff/1","code":"x"}'), 'TARIFF_INVALID');
      await fault('PublishTariff', publish('{not json}'), 'TARIFF_INVALID');
    });

    it('keeps the 64 KiB bound on every other text node and 512 KiB on the document', async () => {
      const tooLongOperator = await send('PublishTariff', [['operator', 'x'.repeat(70_000)], ['document', '{}']]);
      expect(tooLongOperator.status).to.equal(400);
      expect(faultOf(tooLongOperator, '1.1').detailCode).to.equal('VALIDATION_FAILED');
      const tooLongDocument = await send('PublishTariff', [['operator', 'pricing.chen'], ['document', `{${' '.repeat(530_000)}}`]]);
      expect(tooLongDocument.status).to.equal(400);
      const elsewhere = await send('ResolveException', [['operator', 'a'], ['exceptionId', '1'], ['decision', 'accepted'], ['resolution', 'y'.repeat(70_000)]]);
      expect(elsewhere.status).to.equal(400);
    });
  });

  describe('the billing cycle', () => {
    let runId = '';

    it('RunBilling answers the run at once; GetBillRun tells its progress and then its summary', async () => {
      const started = await ok('RunBilling', [['operator', 'billing.sun'], ['period', '2026-10']]);
      const run = childrenOf(started, BA, 'run')[0]!;
      runId = value(run, 'runId')!;
      expect(value(run, 'period')).to.equal('2026-10');
      expect(value(run, 'startedAt')).to.match(TIMESTAMP);
      let status = value(run, 'status');
      let latest = run;
      for (let i = 0; i < 200 && status === 'running'; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        latest = childrenOf(await ok('GetBillRun', [['runId', runId]]), BA, 'run')[0]!;
        status = value(latest, 'status');
      }
      expect(status).to.equal('finished');
      expect(value(latest, 'finishedAt')).to.match(TIMESTAMP);
      expect(value(latest, 'customers')).to.equal('3');
      const stored = await core.store.db.selectFrom('bills').select(['amount_fen', 'energy_kwh']).where('run_id', '=', Number(runId)).execute();
      expect(value(latest, 'bills')).to.equal(String(stored.length));
      expect(value(latest, 'energyKwh')).to.equal(String(stored.reduce((s, b) => s + b.energy_kwh, 0)));
      const rules = childrenOf(latest, BA, 'exceptions').map((e) => value(e, 'rule'));
      expect(rules).to.include('VER_MISSING_READING'); // M202's October reading was refused
      await fault('GetBillRun', [['runId', '999999']], 'NOT_FOUND');
    });

    it('refuses a second run of a period while one is running, and issuing it meanwhile', async () => {
      await insertBillRun(core.store, { period: '2026-08', segment: null, startedAt: new Date().toISOString() });
      await fault('RunBilling', [['operator', 'billing.sun'], ['period', '2026-08']], 'BILL_RUN_IN_PROGRESS');
      await fault('IssueBills', [['operator', 'billing.sun'], ['period', '2026-08']], 'BILL_RUN_IN_PROGRESS');
      await fault('RunBilling', [['operator', 'billing.sun'], ['period', '2026-13']], 'VALIDATION_FAILED');
    });

    it('ListExceptions pages the run\'s exceptions in id order with `more`; filters combine', async () => {
      const all = await ok('ListExceptions', [['runId', runId], ['pageSize', '500']]);
      const ids = childrenOf(all, BA, 'exception').map((e) => Number(value(e, 'exceptionId')));
      expect(ids.length).to.be.greaterThan(1);
      expect(value(all, 'more')).to.equal('false');
      const first = await ok('ListExceptions', [['runId', runId], ['pageSize', '1']]);
      expect(childrenOf(first, BA, 'exception').map((e) => Number(value(e, 'exceptionId')))).to.deep.equal([ids[0]]);
      expect(value(first, 'more')).to.equal('true');
      const rest = await ok('ListExceptions', [['runId', runId], ['afterId', String(ids[0])], ['pageSize', '500']]);
      expect(childrenOf(rest, BA, 'exception').map((e) => Number(value(e, 'exceptionId')))).to.deep.equal(ids.slice(1));
      const missing = await ok('ListExceptions', [['period', '2026-10'], ['status', 'open'], ['rule', 'VER_MISSING_READING'], ['customerNo', '3300000000202'], ['pageSize', '10']]);
      const found = childrenOf(missing, BA, 'exception');
      expect(found).to.have.length(1);
      expect(fieldsOf(found[0]!).map(([n]) => n)).to.deep.equal(['exceptionId', 'runId', 'period', 'customerNo', 'rule', 'detail', 'status']);
      await fault('ListExceptions', [['pageSize', '501']], 'VALIDATION_FAILED');
    });

    it('IssueBills issues the drafts without an open exception, holds the others, and refuses a due date before the issue date', async () => {
      await fault('IssueBills', [['operator', 'billing.sun'], ['period', '2026-10'], ['dueDate', '2020-01-01']], 'DUE_DATE_INVALID');
      const none = await ok('IssueBills', [['operator', 'billing.sun'], ['period', '2026-10'], ['segment', 'agricultural']]);
      expect(fieldsOf(none)).to.deep.equal([['period', '2026-10'], ['issued', '0'], ['held', '0'], ['amount', '0.00']]);
      const drafts = await core.store.db.selectFrom('bills').select('id').where('period', '=', '2026-10').where('status', '=', 'draft').execute();
      const first = await ok('IssueBills', [['operator', 'billing.sun'], ['period', '2026-10']]);
      expect(Number(value(first, 'issued')) + Number(value(first, 'held'))).to.equal(drafts.length);
    });

    it('ResolveException closes an exception, answers a repeat alike, and refuses another decision or an unknown id', async () => {
      const open = await ok('ListExceptions', [['period', '2026-10'], ['status', 'open'], ['pageSize', '500']]);
      const ids = childrenOf(open, BA, 'exception').map((e) => value(e, 'exceptionId')!);
      expect(ids.length).to.be.greaterThan(0);
      const decide = (id: string, decision = 'accepted') => [['operator', 'auditor.li'], ['exceptionId', id], ['decision', decision], ['resolution', '现场核实无误']] as Field[];
      const closed = await ok('ResolveException', decide(ids[0]!));
      expect(fieldsOf(closed).slice(0, 2)).to.deep.equal([['exceptionId', ids[0]], ['status', 'accepted']]);
      expect(value(closed, 'resolvedAt')).to.match(TIMESTAMP);
      expect(fieldsOf(await ok('ResolveException', decide(ids[0]!)))).to.deep.equal(fieldsOf(closed));
      await fault('ResolveException', decide(ids[0]!, 'resolved'), 'EXCEPTION_CLOSED');
      await fault('ResolveException', decide('999999'), 'NOT_FOUND');
      for (const id of ids.slice(1)) await ok('ResolveException', decide(id));
      const issued = await ok('IssueBills', [['operator', 'billing.sun'], ['period', '2026-10'], ['dueDate', '2026-12-31']]);
      expect(value(issued, 'held')).to.equal('0');
      const left = await core.store.db.selectFrom('bills').select('id').where('period', '=', '2026-10').where('status', '=', 'draft').execute();
      expect(left).to.deep.equal([]);
    });

    for (const version of ['1.1', '1.2'] as const) {
      it(`SOAP ${version}: GetBill answers an issued bill with its lines in schema order; an unknown bill is NOT_FOUND`, async () => {
        const answer = await ok('GetBill', [['billNo', '2026103300000000201']], version);
        const fields = fieldsOf(answer);
        expect(fields.slice(0, 5)).to.deep.equal([
          ['billNo', '2026103300000000201'], ['customerNo', '3300000000201'], ['period', '2026-10'], ['status', 'issued'], ['tariffCode', 'zj-residential-ladder'],
        ]);
        expect(value(answer, 'energyKwh')).to.equal('200');
        const row = await core.store.db.selectFrom('bills').select('due_on').where('bill_no', '=', '2026103300000000201').executeTakeFirstOrThrow();
        expect(value(answer, 'dueDate')).to.equal(row.due_on);
        expect(value(answer, 'issuedAt')).to.match(TIMESTAMP);
        const lines = childrenOf(answer, BA, 'line');
        expect(lines.length).to.be.greaterThan(0);
        expect(fieldsOf(lines[0]!).map(([n]) => n)).to.deep.equal(['seq', 'kind', 'code', 'label', 'quantity', 'unit', 'rate', 'amount']);
        const total = lines.reduce((sum, l) => sum + Math.round(Number(value(l, 'amount')) * 100), 0);
        expect((total / 100).toFixed(2)).to.equal(value(answer, 'amount'));
        await fault('GetBill', [['billNo', '202610NONE']], 'NOT_FOUND', version);
      });
    }
  });

  it('answers UNAVAILABLE for an operation without a handler in this version', async () => {
    const reply = await send('OpenOnlineBanking', [['operator', 'clerk.wang'], ['customerNo', '3300000000201'], ['phone', '13900001111']]);
    expect(faultOf(reply, '1.1')).to.include({ code: 'soap:Server', detailCode: 'UNAVAILABLE' });
  });
});
