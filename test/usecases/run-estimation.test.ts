import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { openStore, type OpenStore } from '../../src/store/connect.ts';
import { migrateToLatest } from '../../src/store/migrate.ts';
import { inTransaction, type Store } from '../../src/store/database.ts';
import { insertEstimates } from '../../src/store/estimation.repository.ts';
import { postLedgerTransaction } from '../../src/store/ledger.repository.ts';
import { insertNotice } from '../../src/store/control.repository.ts';
import { registerCustomer } from '../../src/usecases/register-customer.ts';
import { runEstimation, type EstimationRequest } from '../../src/usecases/run-estimation.ts';
import { applyBalanceRules, type BalanceCheck } from '../../src/usecases/balance-rules.ts';
import { applySliceBalanceRules } from '../../src/usecases/estimation-reminders.ts';
import { loadSegmentSettings } from '../../src/usecases/estimation-settings.ts';
import { workerSlices } from '../../src/usecases/estimation-slices.ts';
import { estimationPeriod } from '../../src/domain/estimation.ts';
import { describeOnEveryStore } from '../support/stores.ts';
import { importFixtureTariffs } from '../support/tariffs.ts';
import { addIssuedBill } from '../support/payments.ts';

const DAY = '2026-11-10';
const BEFORE = '2026-11-09';
const NOW = '2026-11-10T23:00:00.000Z'; // 07:00 on the 11th in Beijing
const REQUEST: EstimationRequest = { date: DAY, segment: 'residential', now: NOW, actor: 'test', batchSize: 3 };

interface Account {
  readonly no: string;
  /** Prepaid credit in fen (the balance before the estimate). */
  readonly creditFen: number;
  /** Hundredths of the total register on the day before and the day (null: no reading). */
  readonly readings: ReadonlyArray<readonly [number | null, number | null]>;
  readonly households?: number;
  readonly timeOfUse?: boolean;
  readonly phone?: string | null;
}

// Every case the run decides per account, spread over slices of three: kWh from one register or
// two, a missing reading with and without billed history, credit far above, just under each alarm
// and below zero, a ladder position past the first tier, an estimate of the day already there, and
// a reminder of the day already sent.
const ACCOUNTS: readonly Account[] = [
  { no: '3300000009001', creditFen: 100_000, readings: [[100_000, 101_200]] },
  { no: '3300000009002', creditFen: 2_900, readings: [[50_000, 50_800]] },
  { no: '3300000009003', creditFen: 1_400, readings: [[50_000, 50_300]], phone: null },
  { no: '3300000009004', creditFen: 300, readings: [[0, 1_000]] },
  { no: '3300000009005', creditFen: 100_000, readings: [[null, 7_000]] },
  { no: '3300000009006', creditFen: 100_000, readings: [[null, null]] },
  { no: '3300000009007', creditFen: 50_000, readings: [[10_000, 12_500], [20_000, 20_700]], households: 6 },
  { no: '3300000009008', creditFen: 2_000, readings: [[99_999_000, 100_300]], timeOfUse: true },
  { no: '3300000009009', creditFen: 100_000, readings: [[30_000, 34_000]] },
  { no: '3300000009010', creditFen: 900, readings: [[30_000, 30_100]] },
  { no: '3300000009011', creditFen: 100_000, readings: [[30_000, 31_000]] },
];
/** Billed history: the missing-reading account is estimated from its average use. */
const BILLED = '3300000009005';
/** Far into the ladder year from its estimates: priced at the second tier. */
const LADDER = '3300000009009';
const ESTIMATED_BEFORE = '3300000009011';
const REMINDED_BEFORE = '3300000009002';

async function seed(store: Store): Promise<void> {
  await importFixtureTariffs(store);
  for (const account of ACCOUNTS) {
    const readings = (pair: readonly [number | null, number | null]) => [
      ...(pair[0] === null ? [] : [{ readOn: BEFORE, valueHundredths: pair[0], source: 'actual' as const }]),
      ...(pair[1] === null ? [] : [{ readOn: DAY, valueHundredths: pair[1], source: 'actual' as const }]),
    ];
    await registerCustomer(store, {
      customerNo: account.no, name: '智能用户', category: 'residential', voltage: 'below-1kv', address: '杭州市西湖区文三路7号',
      phone: account.phone === undefined ? `139${account.no.slice(-8)}` : account.phone, idNumber: null, creditCode: null,
      households: account.households ?? 1, tariffCode: 'zj-residential-ladder', timeOfUse: account.timeOfUse ?? false, paymentMode: 'smart-prepaid',
      ladderYearStartMonth: 1, capacityKva: null, contractDemandKw: null, basicChargeBasis: null, powerFactorStandard: null,
      meters: account.readings.map((pair, i) => ({
        meterNo: `M${account.no}-${i}`, ctRatio: 1, ptRatio: 1, installedOn: '2020-01-01',
        registers: [{ kind: 'total' as const, digits: 6, rolloverAllowed: true, readings: readings(pair) }],
      })),
    }, '2026-01-01T00:00:00.000Z');
  }
  const id = async (no: string) => Number((await store.db.selectFrom('customers').select('id').where('customer_no', '=', no).executeTakeFirstOrThrow()).id);
  await postLedgerTransaction(store, {
    kind: 'test-opening', refKind: null, refId: null, accountingDate: '2026-11-01', createdAt: '2026-11-01T00:00:00.000Z',
    legs: [
      ...await Promise.all(ACCOUNTS.map(async (a) => ({ accountCode: 'prepaid', customerId: await id(a.no), amountFen: -a.creditFen }))),
      { accountCode: 'clearing:test', customerId: null, amountFen: ACCOUNTS.reduce((n, a) => n + a.creditFen, 0) },
    ],
  });
  for (const [i, period] of ['2026-08', '2026-09', '2026-10'].entries()) {
    await addIssuedBill(store, { customerId: await id(BILLED), billNo: `B9005-${i}`, period, amountFen: 5_380, dueOn: `${period}-28` });
  }
  const estimate = (customerId: number, periodKey: string, kwh: number) => ({
    customer_id: customerId, period_key: periodKey, month: periodKey.slice(0, 7), kwh, amount_fen: kwh * 54, algorithm: 'register-delta' as const,
    estimated: 0, run_id: 0, created_at: '2026-11-01T00:00:00.000Z',
  });
  const [ladder, estimatedBefore, remindedBefore] = [await id(LADDER), await id(ESTIMATED_BEFORE), await id(REMINDED_BEFORE)];
  await inTransaction(store, async (tx) => {
    await insertEstimates(tx, [estimate(ladder, '2026-06-30', 2_700), estimate(ladder, '2026-11-08', 50), estimate(estimatedBefore, DAY, 10)]);
    await insertNotice(tx, { customer_id: remindedBefore, day: '2026-11-11', level: 'alarm-1', balance_fen: 2_000, created_at: '2026-11-10T22:00:00.000Z' });
  });
}

/** What a run leaves behind, by customer number, independent of ids and insertion order. */
async function outcome(store: Store): Promise<Record<string, unknown>> {
  const estimates = await store.db.selectFrom('smart_estimates').innerJoin('customers', 'customers.id', 'smart_estimates.customer_id')
    .select(['customers.customer_no', 'period_key', 'kwh', 'amount_fen', 'algorithm', 'estimated']).where('run_id', '!=', 0).execute();
  const prepaid = await store.db.selectFrom('ledger_entries').innerJoin('customers', 'customers.id', 'ledger_entries.customer_id')
    .select((eb) => ['customers.customer_no', eb.fn.sum<number | string>('amount_fen').as('fen')]).where('account_code', '=', 'prepaid')
    .groupBy('customers.customer_no').execute();
  const unbilled = await store.db.selectFrom('ledger_entries').select((eb) => eb.fn.sum<number | string>('amount_fen').as('fen'))
    .where('account_code', '=', 'unbilled:estimates').executeTakeFirst();
  const notices = await store.db.selectFrom('balance_notices').innerJoin('customers', 'customers.id', 'balance_notices.customer_id')
    .select(['customers.customer_no', 'day', 'level', 'balance_fen']).execute();
  const sms = await store.db.selectFrom('sms_outbox').select(['phone', 'template', 'body', 'status']).execute();
  const commands = await store.db.selectFrom('control_commands').select(['kind', 'status', 'reason']).execute();
  const sort = <T>(rows: T[]) => rows.map((r) => JSON.stringify(r, (_, v: unknown) => (typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v))).sort();
  return {
    estimates: sort(estimates), prepaid: sort(prepaid), unbilled: Number(unbilled?.fen ?? 0), notices: sort(notices), sms: sort(sms), commands: sort(commands),
  };
}

function useSqliteFile(): { open(): Promise<OpenStore> } {
  let dir: string | undefined;
  const stores: OpenStore[] = [];
  before(() => { dir = mkdtempSync(join(tmpdir(), 'gridbill-estimation-')); });
  after(async () => {
    for (const store of stores) await store.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return {
    async open() {
      const store = await openStore(`sqlite:${join(dir!, `s${stores.length}.db`)}`);
      stores.push(store);
      await migrateToLatest(store.db, store.dialect);
      return store;
    },
  };
}

describeOnEveryStore('estimation run', (h) => {
  const sqlite = useSqliteFile();

  it('prices and writes every account alike on the run\'s own thread and with a worker thread on a SQLite file', async function () {
    this.timeout(20_000); // two databases seeded with the fixture tariffs, and a worker thread started
    await seed(h.store);
    const inProcess = await runEstimation(h.store, { ...REQUEST, inProcess: true });
    const other = await sqlite.open();
    await seed(other);
    const withWorker = await runEstimation(other, REQUEST);
    expect(withWorker).to.deep.equal(inProcess);
    // 9006 has neither readings nor bills; 9011 was estimated before. 9002 had its alarm 1 of the
    // day already; 9003 and 9010 get one (9003 has no phone: no SMS); 9004 and 9008 (a rollover)
    // go below zero.
    expect(inProcess).to.include({ accounts: 9, alreadyEstimated: 1, skipped: 1, reminders: 2, cutoffNotices: 2 });
    const expected = await outcome(h.store);
    expect(await outcome(other)).to.deep.equal(expected);
    expect(expected.estimates).to.include(JSON.stringify({
      customer_no: 3300000009005, period_key: DAY, kwh: 3, amount_fen: 161, algorithm: 'average-when-missing', estimated: 1,
    }));
    expect((expected.sms as string[]).filter((s) => s.includes('balance-alarm'))).to.have.length(1);
    // 2,750 kWh estimated in the ladder year before: 10 of the 40 kWh at the first tier, 30 above.
    expect(expected.estimates).to.include(JSON.stringify({
      customer_no: 3300000009009, period_key: DAY, kwh: 40, amount_fen: 2302, algorithm: 'register-delta', estimated: 0,
    }));
    expect(expected.unbilled).to.equal(-inProcess.amountFen);
  });

  it('charges nothing twice when the day runs again, with or without the worker', async () => {
    const again = await runEstimation(h.store, REQUEST);
    expect(again).to.include({ accounts: 0, alreadyEstimated: 10, skipped: 1, amountFen: 0, reminders: 0, cutoffNotices: 0 });
  });
});

describe('estimation reminders in bulk', () => {
  const sqlite = useSqliteFile();

  it('sends the reminders, cut-off notices and SMS the balance rules send, once per level and day', async function () {
    this.timeout(20_000); // two databases seeded with the fixture tariffs
    const [bulk, oneByOne] = [await sqlite.open(), await sqlite.open()];
    for (const store of [bulk, oneByOne]) await seed(store);
    const settings = (await loadSegmentSettings(bulk)).get('residential')!;
    const ids = await bulk.db.selectFrom('customers').select(['id', 'customer_no', 'phone']).orderBy('id').execute();
    const balances = [5_000, 2_999, 1_000, 999, 1, 0, -1, 2_000, 3_000];
    const checks: BalanceCheck[] = balances.map((balanceFen, i) => ({
      customerId: Number(ids[i]!.id), customerNo: ids[i]!.customer_no, phone: ids[i]!.phone, balanceFen,
    }));
    const counts = await inTransaction(bulk, (tx) => applySliceBalanceRules(tx, checks, settings, NOW));
    expect(counts).to.deep.equal(await inTransaction(oneByOne, (tx) => applyBalanceRules(tx, checks, settings, NOW)));
    // 0 is alarm 2, not a cut-off; the second customer had its alarm 1 of the day already.
    expect(counts).to.include({ reminders: 5, cutoffNotices: 1 });
    expect(await outcome(bulk)).to.deep.equal(await outcome(oneByOne));
    const twice = await inTransaction(bulk, (tx) => applySliceBalanceRules(tx, checks, settings, NOW));
    expect(twice).to.include({ reminders: 0, cutoffNotices: 0 });
  });
});

describe('estimation worker', () => {
  it('fails the run\'s slices when it cannot read the database', async () => {
    const settings = { segment: 'residential', algorithm: 'register-delta', fallback: 'average-when-missing', runsPerDay: 1, windowStart: '06:00', windowEnd: '08:00',
      averageMonths: 3, peakShareBp: 6000, alarm1Fen: 3000, alarm2Fen: 1000, graceHours: 24, cutoffFrom: '08:00', cutoffTo: '17:00' } as const;
    const slices = workerSlices(join(tmpdir(), 'gridbill-no-such-file.db'), { settings, period: estimationPeriod(DAY, 1, 1), tariffs: new Map() }, {
      size: 10, categories: ['residential'], readingDays: [BEFORE, DAY], intervalFrom: 'a', intervalTo: 'b', fromMonth: '2025-11', day: DAY, data: 'readings',
    }, 0);
    let failure: Error | undefined;
    try {
      for await (const slice of slices) void slice;
    } catch (error) {
      failure = error as Error;
    }
    expect(failure?.message).to.match(/unable to open|no such file|SQLITE_CANTOPEN/i);
  });
});
