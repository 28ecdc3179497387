import type { Generated, Insertable, Selectable } from 'kysely';

export interface BillRunTable {
  id: Generated<number>;
  period: string;
  segment: string | null;
  status: 'running' | 'finished' | 'failed';
  started_at: string;
  finished_at: string | null;
  /** JSON summary: bills, kWh, amount, exceptions by rule; while running, the totals so far. */
  summary: string | null;
  /** When the running run last stored a slice (migration 0007): a run silent too long is dead. */
  heartbeat_at: Generated<string | null>;
}

export type BillStatus = 'draft' | 'issued' | 'cancelled';

export interface BillTable {
  id: Generated<number>;
  bill_no: string;
  customer_id: number;
  run_id: number | null;
  period: string;
  status: BillStatus;
  energy_kwh: number;
  amount_fen: number;
  /** The tariff version row the bill was priced with. */
  tariff_id: number | null;
  tariff_code: string;
  /** CT × PT of the meter at the end of the period (verification compares it month to month). */
  multiplier: number | null;
  /** 1 when an estimated reading was used. */
  estimated: number;
  /** Consecutive periods, this one included, billed on estimated readings. */
  estimated_streak: number;
  issued_at: string | null;
  due_on: string | null;
  created_at: string;
  /** Last day whose late fee is settled into the state below; null: none (migration 0002). */
  penalty_through: Generated<string | null>;
  /** Exact late fee of every day up to penalty_through, before the minimum. */
  penalty_accrued_fen: Generated<number>;
  /** Late fee charged up to penalty_through and not yet paid. */
  penalty_carried_fen: Generated<number>;
}

export interface BillLineTable {
  id: Generated<number>;
  bill_id: number;
  seq: number;
  kind: string;
  code: string;
  label: string;
  /** Exact decimal text: kWh, kVA·month, percent. */
  quantity: string;
  unit: string;
  rate_micros: number | null;
  amount_fen: number;
}

export type ExceptionStatus = 'open' | 'resolved' | 'accepted';

/** A verification or computation finding that holds a bill back until a person decides. */
export interface BillExceptionTable {
  id: Generated<number>;
  run_id: number;
  /** The draft it holds back; null when no bill could be computed (e.g. a missing reading). */
  bill_id: number | null;
  customer_id: number;
  period: string;
  /** Stable rule code: VER_* from verification, CONS_* from consumption, PRICE_* from pricing. */
  rule: string;
  /** JSON: the figures that triggered it. */
  detail: string;
  status: ExceptionStatus;
  resolved_by: string | null;
  resolved_at: string | null;
  resolution: string | null;
}

export type BillExceptionRow = Selectable<BillExceptionTable>;
export type NewBillException = Insertable<BillExceptionTable>;
export type BillRunRow = Selectable<BillRunTable>;
export type BillRow = Selectable<BillTable>;
export type NewBill = Insertable<BillTable>;
export type BillLineRow = Selectable<BillLineTable>;
export type NewBillLine = Insertable<BillLineTable>;
