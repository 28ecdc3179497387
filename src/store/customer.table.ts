import type { Generated, Insertable, Selectable } from 'kysely';

export type CustomerCategory =
  | 'residential'
  | 'residential-shared'
  | 'commercial'
  | 'large-industry'
  | 'agricultural';

export type VoltageLevel = 'lt1kv' | 'kv1-10' | 'kv35';

export interface CustomerTable {
  id: Generated<number>;
  customer_no: string;
  name: string;
  category: CustomerCategory;
  voltage: VoltageLevel;
  address: string;
  phone: string | null;
  id_number: string | null;
  /** Households behind the meter; ladder thresholds scale with it (合表). */
  households: number;
  tariff_code: string;
  capacity_kva: number | null;
  contract_demand_kw: number | null;
  status: 'active' | 'closed';
  created_at: string;
}

export type PaymentMode = 'postpaid' | 'smart-prepaid';

export interface AccountTable {
  id: Generated<number>;
  customer_id: number;
  payment_mode: PaymentMode;
  /** Month (1–12) in which the account's ladder year starts. */
  ladder_year_start_month: number;
  status: 'open' | 'closed';
  opened_at: string;
}

export type CustomerRow = Selectable<CustomerTable>;
export type NewCustomer = Insertable<CustomerTable>;
export type AccountRow = Selectable<AccountTable>;
export type NewAccount = Insertable<AccountTable>;
