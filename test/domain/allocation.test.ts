import { expect } from 'chai';
import fc from 'fast-check';
import { allocatePayment, settlementOrder, type AllocationLine, type Receivable } from '../../src/domain/allocation.ts';

// Listed out of order on purpose: allocation must sort by month, then bill no.
const receivables: readonly Receivable[] = [
  { billNo: 'B202404', month: '2024-04', energyFen: 20_000, penaltyFen: 100 },
  { billNo: 'B202405', month: '2024-05', energyFen: 15_000, penaltyFen: 0 },
  { billNo: 'B202403', month: '2024-03', energyFen: 10_000, penaltyFen: 300 },
];

function lines(paidFen: number, options: { billNos?: readonly string[]; policy?: 'bill-by-bill' | 'penalties-first' } = {}) {
  const result = allocatePayment({ paidFen, receivables, ...options });
  if (!result.ok) throw new Error(`expected an allocation, got ${JSON.stringify(result.error)}`);
  return result;
}

describe('payment allocation', () => {
  it('settles the oldest bill first, its penalty before its energy charge', () => {
    // 104.00 = 3.00 penalty (March) + 100.00 energy (March) + 1.00 penalty (April)
    expect(lines(10_400)).to.deep.equal({
      ok: true,
      lines: [
        { billNo: 'B202403', kind: 'penalty', amountFen: 300 },
        { billNo: 'B202403', kind: 'energy', amountFen: 10_000 },
        { billNo: 'B202404', kind: 'penalty', amountFen: 100 },
      ],
      prepaidFen: 0,
    });
  });

  it('pays part of the next item with what is left', () => {
    // 103.50 = 3.00 + 100.00 + 0.50 of April's 1.00 penalty
    expect(lines(10_350).lines.at(-1)).to.deep.equal({ billNo: 'B202404', kind: 'penalty', amountFen: 50 });
  });

  it('a payment smaller than the oldest penalty only reduces that penalty', () => {
    expect(lines(1).lines).to.deep.equal([{ billNo: 'B202403', kind: 'penalty', amountFen: 1 }]);
  });

  it('can settle every penalty before any energy charge', () => {
    // 50.00 = 3.00 (March penalty) + 1.00 (April penalty) + 46.00 (March energy)
    expect(lines(5_000, { policy: 'penalties-first' }).lines).to.deep.equal([
      { billNo: 'B202403', kind: 'penalty', amountFen: 300 },
      { billNo: 'B202404', kind: 'penalty', amountFen: 100 },
      { billNo: 'B202403', kind: 'energy', amountFen: 4_600 },
    ]);
  });

  it('puts an overpayment into the prepaid balance', () => {
    // outstanding 3.00 + 100.00 + 1.00 + 200.00 + 150.00 = 454.00; paid 500.00 → 46.00 prepaid
    const r = lines(50_000);
    expect(r.lines.map((l) => `${l.billNo}:${l.kind}:${l.amountFen}`)).to.deep.equal([
      'B202403:penalty:300', 'B202403:energy:10000', 'B202404:penalty:100', 'B202404:energy:20000', 'B202405:energy:15000',
    ]);
    expect(r.prepaidFen).to.equal(4_600);
  });

  it('settles only the listed bills and sends the rest to prepaid', () => {
    // listing May only: 150.00 of 200.00 to May's energy, 50.00 prepaid, March stays unpaid
    expect(lines(20_000, { billNos: ['B202405'] })).to.deep.equal({
      ok: true, lines: [{ billNo: 'B202405', kind: 'energy', amountFen: 15_000 }], prepaidFen: 5_000,
    });
    // listed in any order, still oldest first
    expect(lines(10_350, { billNos: ['B202404', 'B202403'] }).lines.map((l) => l.billNo)).to.deep.equal(['B202403', 'B202403', 'B202404']);
    expect(lines(700, { billNos: [] })).to.deep.equal({ ok: true, lines: [], prepaidFen: 700 });
  });

  it('orders bills of the same month by bill no', () => {
    const sameMonth: Receivable[] = [
      { billNo: 'A002', month: '2024-03', energyFen: 100, penaltyFen: 0 },
      { billNo: 'A001', month: '2024-03', energyFen: 100, penaltyFen: 0 },
    ];
    const r = allocatePayment({ paidFen: 150, receivables: sameMonth });
    expect(r.ok && r.lines).to.deep.equal([
      { billNo: 'A001', kind: 'energy', amountFen: 100 }, { billNo: 'A002', kind: 'energy', amountFen: 50 },
    ]);
  });

  it('pays everything to prepaid when nothing is owed', () => {
    expect(allocatePayment({ paidFen: 100, receivables: [] })).to.deep.equal({ ok: true, lines: [], prepaidFen: 100 });
    const settled = [{ billNo: 'X', month: '2024-01', energyFen: 0, penaltyFen: 0 }];
    expect(allocatePayment({ paidFen: 100, receivables: settled })).to.deep.equal({ ok: true, lines: [], prepaidFen: 100 });
  });

  it('refuses an amount that is not a positive number of fen', () => {
    for (const paidFen of [0, -100, 10.5, Number.NaN]) {
      const r = allocatePayment({ paidFen, receivables });
      expect(r.ok, String(paidFen)).to.equal(false);
      expect(!r.ok && r.error.kind).to.equal('amount-not-positive');
    }
  });

  it('refuses a listed bill that is not owed, or listed twice', () => {
    expect(allocatePayment({ paidFen: 100, receivables, billNos: ['B202403', 'NOPE'] }))
      .to.deep.equal({ ok: false, error: { kind: 'unknown-bill', billNo: 'NOPE' } });
    expect(allocatePayment({ paidFen: 100, receivables, billNos: ['B202403', 'B202403'] }))
      .to.deep.equal({ ok: false, error: { kind: 'duplicate-bill', billNo: 'B202403' } });
  });

  it('treats malformed receivables from the ledger as a programmer error', () => {
    const bad = (r: Partial<Receivable>) => [{ billNo: 'X', month: '2024-01', energyFen: 1, penaltyFen: 1, ...r }];
    expect(() => allocatePayment({ paidFen: 1, receivables: bad({ energyFen: -1 }) })).to.throw(RangeError);
    expect(() => allocatePayment({ paidFen: 1, receivables: bad({ penaltyFen: 0.5 }) })).to.throw(RangeError);
    expect(() => allocatePayment({ paidFen: 1, receivables: bad({ month: '2024-1' }) })).to.throw(/ISO month/);
    expect(() => allocatePayment({ paidFen: 1, receivables: [...bad({}), ...bad({})] })).to.throw(/twice/);
  });

  describe('properties', () => {
    const receivableList = fc.uniqueArray(
      fc.record({
        billNo: fc.stringMatching(/^B\d{3}$/),
        month: fc.integer({ min: 0, max: 35 }).map((i) => `${2023 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`),
        energyFen: fc.integer({ min: 0, max: 10_000_000 }),
        penaltyFen: fc.integer({ min: 0, max: 100_000 }),
      }),
      { selector: (r) => r.billNo, maxLength: 12 },
    );
    const scenario = receivableList.chain((list) => fc.record({
      receivables: fc.constant(list),
      paidFen: fc.integer({ min: 1, max: 200_000_000 }),
      billNos: fc.option(fc.subarray(list.map((r) => r.billNo)), { nil: undefined }),
      policy: fc.constantFrom('bill-by-bill' as const, 'penalties-first' as const),
    }));

    it('allocates exactly the amount paid, never more than is owed, only to listed bills', () => {
      fc.assert(fc.property(scenario, (s) => {
        const r = allocatePayment(s);
        if (!r.ok) return false;
        const total = r.lines.reduce((sum, l) => sum + l.amountFen, 0) + r.prepaidFen;
        const owed = (l: AllocationLine) => {
          const bill = s.receivables.find((b) => b.billNo === l.billNo);
          return l.kind === 'penalty' ? bill?.penaltyFen : bill?.energyFen;
        };
        return total === s.paidFen && r.prepaidFen >= 0
          && r.lines.every((l) => l.amountFen > 0 && l.amountFen <= (owed(l) ?? -1))
          && r.lines.every((l) => s.billNos === undefined || s.billNos.includes(l.billNo));
      }), { seed: 1234, numRuns: 500 });
    });

    it('leaves nothing earlier in the order unpaid while something later gets money', () => {
      fc.assert(fc.property(scenario, (s) => {
        const r = allocatePayment(s);
        if (!r.ok) return false;
        const selected = s.receivables.filter((b) => s.billNos === undefined || s.billNos.includes(b.billNo));
        const sorted = [...selected].sort((a, b) => (a.month + a.billNo < b.month + b.billNo ? -1 : 1));
        const order = settlementOrder(sorted, s.policy).filter((i) => i.amountFen > 0);
        // The lines must be a prefix of the order, every one paid in full except possibly the last.
        const prefixOk = r.lines.every((l, i) => order[i]?.billNo === l.billNo && order[i]?.kind === l.kind);
        const fullOk = r.lines.slice(0, -1).every((l, i) => l.amountFen === order[i]?.amountFen);
        const prepaidOnlyWhenDone = r.prepaidFen === 0 || r.lines.length === order.length;
        return prefixOk && fullOk && prepaidOnlyWhenDone;
      }), { seed: 99, numRuns: 500 });
    });
  });
});
