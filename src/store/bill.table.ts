import type { Generated, Insertable, Selectable } from 'kysely';

export interface BillRunTable {
  id: Generated<number>;
  period: string;
  segment: string | null;
  status: 'running' | 'finished' | 'failed';
  started_at: string;
  finished_at: string | null;
  /** JSON summary: bills, kWh, amount, exceptions by rule. */
  summary: string | null;
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
  issued_at: string | null;
  due_on: string | null;
  created_at: string;
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

export type BillRunRow = Selectable<BillRunTable>;
export type BillRow = Selectable<BillTable>;
export type NewBill = Insertable<BillTable>;
export type BillLineRow = Selectable<BillLineTable>;
export type NewBillLine = Insertable<BillLineTable>;
