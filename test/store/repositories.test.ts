import { expect } from 'chai';
import { sql } from 'kysely';
import { describeOnEveryStore } from '../support/stores.ts';
import { registerCustomer, type NewCustomerInput } from '../../src/usecases/register-customer.ts';
import { countCustomers, findAccountByCustomer, findCustomerByNo } from '../../src/store/customer.repository.ts';
import { metersOfCustomer, readingsBetween, registersOfMeter } from '../../src/store/meter.repository.ts';
import { accountBalance, ledgerTotal, postLedgerTransaction } from '../../src/store/ledger.repository.ts';
import { appendAudit, verifyAuditChain } from '../../src/store/audit.repository.ts';
import { findTariffInForce, insertTariffVersion, latestTariffVersion } from '../../src/store/tariff.repository.ts';
import { GridbillError } from '../../src/errors.ts';

const NOW = '2026-11-01T00:00:00.000Z';

function customer(no: string, meterNo: string): NewCustomerInput {
  return {
    customerNo: no, name: '王小明', category: 'residential', voltage: 'below-1kv', address: '杭州市西湖区文三路100号',
    phone: '13812345678', idNumber: '330106199001011234', creditCode: null, households: 1, tariffCode: 'zj-residential-ladder', timeOfUse: false,
    paymentMode: 'postpaid', ladderYearStartMonth: 1, capacityKva: null, contractDemandKw: null, basicChargeBasis: null, powerFactorStandard: null,
    meters: [{
      meterNo, ctRatio: 1, ptRatio: 1, installedOn: '2025-12-31',
      registers: [
        { kind: 'total', digits: 6, rolloverAllowed: true, readings: [
          { readOn: '2025-12-31', valueHundredths: 0, source: 'install' },
          { readOn: '2026-01-31', valueHundredths: 25_012, source: 'actual' },
        ] },
        { kind: 'peak', digits: 6, rolloverAllowed: true, readings: [{ readOn: '2025-12-31', valueHundredths: 0, source: 'install' }] },
      ],
    }],
  };
}

describeOnEveryStore('customer registration', (h) => {
  it('stores the customer, account, meter, registers and readings together', async () => {
    const id = await registerCustomer(h.store, customer('3300000000011', 'M0001'), NOW);
    const row = await findCustomerByNo(h.store, '3300000000011');
    expect(row?.id).to.equal(id);
    expect(row?.name).to.equal('王小明');
    expect((await findAccountByCustomer(h.store, id))?.payment_mode).to.equal('postpaid');
    const [meter] = await metersOfCustomer(h.store, id);
    const registers = await registersOfMeter(h.store, meter!.id);
    expect(registers.map((r) => r.kind)).to.deep.equal(['total', 'peak']);
    const readings = await readingsBetween(h.store, registers[0]!.id, '2025-12-01', '2026-01-31');
    expect(readings.map((r) => [r.read_on, r.value_hundredths])).to.deep.equal([['2025-12-31', 0], ['2026-01-31', 25_012]]);
  });

  it('writes nothing of a customer whose meter cannot be stored', async () => {
    const before = await countCustomers(h.store);
    // Same meter number as the customer above: the meter insert fails after the customer row.
    const error = await registerCustomer(h.store, customer('3300000000029', 'M0001'), NOW).then(() => null, (e: unknown) => e);
    expect(error).to.be.instanceOf(Error);
    expect(await countCustomers(h.store)).to.equal(before);
    expect(await findCustomerByNo(h.store, '3300000000029')).to.equal(undefined);
  });
});

describeOnEveryStore('the ledger', (h) => {
  const posting = (legs: Array<[string, number]>) => ({
    kind: 'test', refKind: null, refId: null, accountingDate: '2026-11-01', createdAt: NOW,
    legs: legs.map(([accountCode, amountFen]) => ({ accountCode, customerId: null, amountFen })),
  });

  it('posts a balanced transaction and projects balances from its entries', async () => {
    await postLedgerTransaction(h.store, posting([['receivable', 12_345], ['energy-revenue', -12_345]]));
    await postLedgerTransaction(h.store, posting([['channel-clearing', 10_000], ['receivable', -10_000]]));
    expect(await accountBalance(h.store, 'receivable')).to.equal(2_345);
    expect(await accountBalance(h.store, 'energy-revenue')).to.equal(-12_345);
    expect(await ledgerTotal(h.store)).to.equal(0);
  });

  it('refuses an unbalanced or one-legged transaction and writes nothing', async () => {
    const countTxns = async () => Number((await sql<{ n: number }>`select count(*) as n from ledger_transactions`.execute(h.store.db)).rows[0]!.n);
    const before = await countTxns();
    for (const legs of [[['receivable', 100], ['energy-revenue', -99]], [['receivable', 0]], [['receivable', 0.5], ['x', -0.5]]] as Array<Array<[string, number]>>) {
      const error = await postLedgerTransaction(h.store, posting(legs)).then(() => null, (e: unknown) => e);
      expect((error as GridbillError).code, JSON.stringify(legs)).to.equal('LEDGER_UNBALANCED');
    }
    expect(await countTxns()).to.equal(before);
    expect(await ledgerTotal(h.store)).to.equal(0);
  });

  it('keeps amounts beyond 32 bits exact', async () => {
    const big = 987_654_321_012; // 9,876,543,210.12 yuan
    await postLedgerTransaction(h.store, posting([['big-a', big], ['big-b', -big]]));
    expect(await accountBalance(h.store, 'big-a')).to.equal(big);
  });
});

describeOnEveryStore('the audit log', (h) => {
  it('chains records so that the chain verifies', async () => {
    for (let i = 0; i < 5; i += 1) {
      await appendAudit(h.store, { at: NOW, actor: 'clerk01', action: 'test', subject: `s${i}`, detail: { i } });
    }
    expect(await verifyAuditChain(h.store)).to.deep.equal({ kind: 'intact', records: 5 });
  });

  it('reports the first record whose content was edited', async () => {
    const third = await h.store.db.selectFrom('audit_log').select('id').orderBy('id').offset(2).limit(1).executeTakeFirstOrThrow();
    await h.store.db.updateTable('audit_log').set({ detail: '{"i":99}' }).where('id', '=', third.id).execute();
    const verdict = await verifyAuditChain(h.store);
    expect(verdict).to.include({ kind: 'broken', firstBrokenId: third.id, records: 2 });
  });

  it('reports a removed record at the record after it', async () => {
    await h.store.db.deleteFrom('audit_log').execute();
    for (let i = 0; i < 3; i += 1) {
      await appendAudit(h.store, { at: NOW, actor: 'a', action: 'test', subject: `s${i}`, detail: {} });
    }
    const rows = await h.store.db.selectFrom('audit_log').select('id').orderBy('id').execute();
    await h.store.db.deleteFrom('audit_log').where('id', '=', rows[1]!.id).execute();
    const verdict = await verifyAuditChain(h.store);
    expect(verdict).to.include({ kind: 'broken', firstBrokenId: rows[2]!.id });
  });
});

describeOnEveryStore('tariff versions', (h) => {
  const version = (v: number, from: string, to: string | null) => ({
    code: 'zj-test', version: v, kind: 'flat', name: '测试', effective_from: from, effective_to: to,
    document: '{}', source: 'test', published_at: NOW,
  });

  it('finds the version in force on a date, and none before the first', async () => {
    await insertTariffVersion(h.store, version(1, '2024-01-01', '2025-07-01'));
    await insertTariffVersion(h.store, version(2, '2025-07-01', null));
    expect((await findTariffInForce(h.store, 'zj-test', '2025-06-30'))?.version).to.equal(1);
    expect((await findTariffInForce(h.store, 'zj-test', '2025-07-01'))?.version).to.equal(2);
    expect((await findTariffInForce(h.store, 'zj-test', '2030-01-01'))?.version).to.equal(2);
    expect(await findTariffInForce(h.store, 'zj-test', '2023-12-31')).to.equal(undefined);
    expect(await findTariffInForce(h.store, 'zj-other', '2025-07-01')).to.equal(undefined);
    expect(await latestTariffVersion(h.store, 'zj-test')).to.equal(2);
    expect(await latestTariffVersion(h.store, 'zj-none')).to.equal(0);
  });
});
