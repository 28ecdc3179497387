// The tariff model: a tagged union of kinds, each a list of effective-dated versions. Every price,
// threshold, ratio and exemption is data here (see fixtures/tariffs and parse-tariff.ts), never a
// constant in the pricing code, because provinces differ and rules change.

import type { BillLine, BillLineKind, DateRange } from '../bill-line.ts';
import type { IsoDate } from '../dates.ts';
import type { RateMicros } from '../money.ts';
import type { PowerFactorStandard } from '../power-factor.ts';
import type { BillingPeriod, TouPeriod } from '../usage.ts';

export type CustomerCategory =
  | 'residential'
  | 'residential-shared'
  | 'industrial-commercial'
  | 'large-industry'
  | 'agricultural';
export const CUSTOMER_CATEGORIES: readonly CustomerCategory[] = [
  'residential', 'residential-shared', 'industrial-commercial', 'large-industry', 'agricultural',
];

export type VoltageLevel = 'below-1kv' | '1-10kv' | '20kv' | '35kv' | '110kv' | '220kv';
export const VOLTAGE_LEVELS: readonly VoltageLevel[] = ['below-1kv', '1-10kv', '20kv', '35kv', '110kv', '220kv'];

export type TariffKind = Tariff['kind'];
export const TARIFF_KINDS: readonly TariffKind[] = ['residential-ladder', 'flat', 'component-tou', 'two-part'];

/** A government fund collected per kWh, billed as its own line. */
export interface Fund {
  readonly code: string;
  readonly label: string;
  readonly rateMicros: RateMicros;
  readonly exemptCategories: readonly CustomerCategory[];
}

/**
 * The late-payment penalty (电费违约金) of bills priced with a version: per-day rates of the
 * overdue amount and the minimum. Residential tariffs carry one rate for both parts.
 */
export interface LateFeeTerms {
  /** Overdue days in the arrears' own year, basis points per day (2‰ = 20). */
  readonly currentYearDailyBp: number;
  /** Overdue days in a later calendar year, basis points per day (3‰ = 30). */
  readonly crossYearDailyBp: number;
  /** A positive penalty below this is charged as this. */
  readonly minimumFen: number;
}

interface VersionBase {
  readonly effectiveFrom: IsoDate;
  /** Exclusive. Absent: in force until the next version's effectiveFrom, or open-ended. */
  readonly effectiveTo?: IsoDate;
  readonly funds: readonly Fund[];
  readonly lateFee: LateFeeTerms;
}

export interface LadderTier {
  /** Inclusive upper bound of annual kWh for one household; absent on the last, open tier. */
  readonly upToKwh?: number;
  readonly flatMicros: RateMicros;
  /** Peak/valley prices for customers on residential time-of-use; all tiers or none have them. */
  readonly tou?: { readonly peakMicros: RateMicros; readonly valleyMicros: RateMicros };
}

export interface ResidentialLadderVersion extends VersionBase {
  readonly tiers: readonly LadderTier[];
}

export interface VoltageRate {
  readonly voltage: VoltageLevel;
  readonly rateMicros: RateMicros;
}

export interface FlatVersion extends VersionBase {
  readonly rates: readonly VoltageRate[];
}

/** One part of the post-2021 industrial price: purchase, line loss, T&D, system operation. */
export interface PriceComponent {
  readonly code: string;
  readonly label: string;
  readonly rateMicros: RateMicros;
  /** Whether the TOU ratios float this component; fixed components are added unchanged. */
  readonly touApplies: boolean;
}

export interface ComponentTouVersion extends VersionBase {
  readonly components: readonly PriceComponent[];
  /** Ratio on the flat price per period in basis points (180 % = 18000). */
  readonly touRatiosBp: Readonly<Record<TouPeriod, number>>;
  /** Months (1–12) with sharp hours; in other months sharp-register kWh are billed as peak. */
  readonly sharpMonths: readonly number[];
  /** Line kinds whose sum the power-factor percentage applies to. */
  readonly powerFactorBase: readonly BillLineKind[];
}

export interface BasicChargeTerms {
  readonly capacityRateMicros: RateMicros;
  readonly demandRateMicros: RateMicros;
  /** A partial month is charged 1/N of the month per running day (N = 30 in the supply rules). */
  readonly prorationDaysPerMonth: number;
  /** Billing demand is never below this share of transformer capacity (4000 = 40 %). */
  readonly demandFloorBp: number;
  /** Demand above this share of contract demand (10500 = 105 %) is the excess. */
  readonly demandExcessThresholdBp: number;
  /** The excess is charged at this multiple of the demand rate. */
  readonly demandExcessMultiplier: number;
}

export interface TwoPartVersion extends ComponentTouVersion {
  readonly basic: BasicChargeTerms;
}

interface TariffBase {
  readonly code: string;
  readonly name: string;
  /** Where the figures came from; (?) marks values from secondary or no sources. */
  readonly source: string;
}

export interface ResidentialLadderTariff extends TariffBase {
  readonly kind: 'residential-ladder';
  readonly versions: readonly ResidentialLadderVersion[];
}
export interface FlatTariff extends TariffBase {
  readonly kind: 'flat';
  readonly versions: readonly FlatVersion[];
}
export interface ComponentTouTariff extends TariffBase {
  readonly kind: 'component-tou';
  readonly versions: readonly ComponentTouVersion[];
}
export interface TwoPartTariff extends TariffBase {
  readonly kind: 'two-part';
  readonly versions: readonly TwoPartVersion[];
}

export type Tariff = ResidentialLadderTariff | FlatTariff | ComponentTouTariff | TwoPartTariff;
export type TariffVersion = Tariff['versions'][number];

// ── Account facts the pricing needs ────────────────────────────────────────────────────────────

export interface LadderFacts {
  /** Households behind the meter (≥ 1); thresholds are multiplied by it. */
  readonly households: number;
  /** First month (1–12) of this account's ladder year; 1 by default. */
  readonly yearStartMonth: number;
  /** kWh already billed in this ladder year before the period. */
  readonly kwhBeforePeriod: number;
}

export type BasicChargeFacts =
  | { readonly basis: 'capacity'; readonly capacityKva: number }
  | { readonly basis: 'contract-demand'; readonly capacityKva: number; readonly contractDemandKw: number }
  | { readonly basis: 'actual-demand'; readonly capacityKva: number };

export interface AccountFacts {
  readonly category: CustomerCategory;
  /** Needed by flat tariffs, which price by voltage. */
  readonly voltage?: VoltageLevel;
  /** Needed by residential-ladder tariffs. */
  readonly ladder?: LadderFacts;
  /** A residential customer who elected time-of-use (峰谷) prices. */
  readonly timeOfUse?: boolean;
  /** Needed by two-part tariffs. */
  readonly basic?: BasicChargeFacts;
  /** Set for customers assessed for power factor. */
  readonly powerFactorStandard?: PowerFactorStandard;
}

// ── Operating errors, returned as values ──────────────────────────────────────────────────────

export type PricingErrorCode =
  | 'tariff-not-in-force'
  | 'usage-invalid'
  | 'tou-usage-missing'
  | 'tou-period-not-priced'
  | 'tou-not-offered'
  | 'voltage-not-priced'
  | 'ladder-facts-missing'
  | 'ladder-facts-invalid'
  | 'basic-facts-missing'
  | 'basic-facts-invalid'
  | 'demand-missing'
  | 'contract-demand-below-floor'
  | 'running-days-invalid'
  | 'reactive-missing'
  | 'power-factor-not-applicable';

export interface PricingError {
  readonly code: PricingErrorCode;
  readonly message: string;
}

export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export type LinesResult = Result<readonly BillLine[], PricingError>;

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function fail(code: PricingErrorCode, message: string): { readonly ok: false; readonly error: PricingError } {
  return { ok: false, error: { code, message } };
}

// ── What each kind's pricing receives for one segment of the period ────────────────────────────

/** The energy of one segment of the period (effective-dating.ts splits the period's usage). */
export interface SegmentUsage {
  readonly totalKwh: number;
  readonly touKwh?: Readonly<Record<TouPeriod, number>>;
}

export interface SegmentInput<V> {
  readonly version: V;
  readonly account: AccountFacts;
  readonly period: BillingPeriod;
  readonly usage: SegmentUsage;
  /** kWh of the earlier segments of this period (for the ladder's running total). */
  readonly kwhBeforeSegment: number;
  readonly segmentDays: number;
  readonly periodDays: number;
  /** This segment's share of the period's running days (by days, see effective-dating.ts). */
  readonly runningDays: number;
  /** Whether the customer ran the whole period: a full month is never prorated. */
  readonly ranFullPeriod: boolean;
  /** Whole-month maximum demand, when the meter records it. */
  readonly maxDemandKw: number | undefined;
  /** Set when the period is split across versions: lines carry it. */
  readonly segment: DateRange | undefined;
}
