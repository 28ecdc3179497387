// Two-part tariff (两部制, large industry): the component TOU energy charge plus a basic charge,
// by transformer capacity or by demand.
//
// Capacity: a month in which the customer ran every day is a full month; otherwise each running
// day is 1/N of the month (N = prorationDaysPerMonth, 30 in the supply rules), never more than a
// month. When a tariff change splits the period, a full month is shared by calendar days and the
// running days by apportion (the caller knows the count, not which days they were).
// Demand: contract demand may not be below the floor share of capacity; up to the excess threshold
// (105 %) the contract demand is charged, above it the excess is charged at the multiple (×2).
// Billing by actual demand charges max(actual, floor share of capacity). Demand charges are
// prorated only by the segment's share of the period, not by running days.

import { basicCapacityLine, basicDemandLine, type BillLine, type Proration } from '../bill-line.ts';
import { touEnergyLines } from './component-tou.ts';
import {
  fail, ok, type BasicChargeFacts, type LinesResult, type PricingError, type Result, type SegmentInput,
  type TwoPartVersion,
} from './tariff.ts';

/** Demand quantities carry four decimals: 105 % of a whole kW and 40 % of a whole kVA are exact there. */
const DEMAND_SCALE = 4;
const ONE_KW = 10_000n;

export function priceTwoPartSegment(input: SegmentInput<TwoPartVersion>): LinesResult {
  const energy = touEnergyLines(input);
  if (!energy.ok) return energy;
  const basic = basicLines(input);
  if (!basic.ok) return basic;
  return ok([...energy.value, ...basic.value]);
}

function checkFacts(facts: BasicChargeFacts | undefined): Result<BasicChargeFacts, PricingError> {
  if (facts === undefined) return fail('basic-facts-missing', 'a two-part tariff needs the capacity and charge basis');
  if (!Number.isSafeInteger(facts.capacityKva) || facts.capacityKva < 1) {
    return fail('basic-facts-invalid', `capacity must be a whole number of kVA ≥ 1, got ${facts.capacityKva}`);
  }
  if (facts.basis === 'contract-demand' && (!Number.isSafeInteger(facts.contractDemandKw) || facts.contractDemandKw < 1)) {
    return fail('basic-facts-invalid', `contract demand must be a whole number of kW ≥ 1, got ${facts.contractDemandKw}`);
  }
  return ok(facts);
}

function basicLines(input: SegmentInput<TwoPartVersion>): LinesResult {
  const facts = checkFacts(input.account.basic);
  if (!facts.ok) return facts;
  const f = facts.value;
  switch (f.basis) {
    case 'capacity':
      return ok([capacityLine(input, f.capacityKva)]);
    case 'contract-demand':
      return contractDemandLines(input, f.capacityKva, f.contractDemandKw);
    case 'actual-demand':
      return actualDemandLines(input, f.capacityKva);
    default: {
      const unknownBasis: never = f;
      throw new Error(`unknown basic charge basis ${JSON.stringify(unknownBasis)}`);
    }
  }
}

function capacityLine(input: SegmentInput<TwoPartVersion>, capacityKva: number): BillLine {
  const perMonth = input.version.basic.prorationDaysPerMonth;
  const proration: Proration = input.ranFullPeriod
    ? { days: input.segmentDays, ofDays: input.periodDays }
    : { days: Math.min(input.runningDays, perMonth), ofDays: perMonth };
  return basicCapacityLine(
    'basic.capacity', '基本电费（按容量）', { scaled: BigInt(capacityKva), scale: 0 },
    input.version.basic.capacityRateMicros, proration, input.segment,
  );
}

function demandProration(input: SegmentInput<TwoPartVersion>): Proration {
  return { days: input.segmentDays, ofDays: input.periodDays };
}

function contractDemandLines(
  input: SegmentInput<TwoPartVersion>, capacityKva: number, contractDemandKw: number,
): LinesResult {
  const terms = input.version.basic;
  const floor = BigInt(capacityKva) * BigInt(terms.demandFloorBp);
  if (BigInt(contractDemandKw) * ONE_KW < floor) {
    return fail('contract-demand-below-floor',
      `contract demand ${contractDemandKw} kW is below ${terms.demandFloorBp / 100}% of ${capacityKva} kVA`);
  }
  const actual = input.maxDemandKw;
  if (actual === undefined) return fail('demand-missing', 'a demand-based basic charge needs the maximum demand');
  const threshold = BigInt(contractDemandKw) * BigInt(terms.demandExcessThresholdBp);
  const actualScaled = BigInt(actual) * ONE_KW;
  const proration = demandProration(input);
  if (actualScaled <= threshold) {
    return ok([basicDemandLine('basic.demand', '基本电费（按合同需量）',
      { scaled: BigInt(contractDemandKw) * ONE_KW, scale: DEMAND_SCALE }, terms.demandRateMicros, proration, input.segment)]);
  }
  return ok([
    basicDemandLine('basic.demand', '基本电费（按合同需量）',
      { scaled: threshold, scale: DEMAND_SCALE }, terms.demandRateMicros, proration, input.segment),
    basicDemandLine('basic.demand.excess', '基本电费（超合同需量部分加价）',
      { scaled: actualScaled - threshold, scale: DEMAND_SCALE },
      terms.demandRateMicros * terms.demandExcessMultiplier, proration, input.segment),
  ]);
}

function actualDemandLines(input: SegmentInput<TwoPartVersion>, capacityKva: number): LinesResult {
  const terms = input.version.basic;
  const actual = input.maxDemandKw;
  if (actual === undefined) return fail('demand-missing', 'a demand-based basic charge needs the maximum demand');
  const floor = BigInt(capacityKva) * BigInt(terms.demandFloorBp);
  const actualScaled = BigInt(actual) * ONE_KW;
  const billed = actualScaled > floor ? actualScaled : floor;
  return ok([basicDemandLine('basic.demand', '基本电费（按实际需量）',
    { scaled: billed, scale: DEMAND_SCALE }, terms.demandRateMicros, demandProration(input), input.segment)]);
}
