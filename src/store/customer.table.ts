import type { Generated, Insertable, Selectable } from 'kysely';
import type { CustomerCategory, VoltageLevel } from '../domain/tariffs/tariff.ts';
import type { PowerFactorStandard } from '../domain/power-factor.ts';

export type { CustomerCategory, PowerFactorStandard, VoltageLevel };

/** How a two-part customer's basic charge is assessed (tariff data decides the rates). */
export type BasicChargeBasis = 'capacity' | 'contract-demand' | 'actual-demand';

export interface CustomerTable {
  id: Generated<number>;
  customer_no: string;
  name: string;
  category: CustomerCategory;
  voltage: VoltageLevel;
  address: string;
  phone: string | null;
  id_number: string | null;
  /** Unified social credit code of an organisation. */
  credit_code: string | null;
  /** Households behind the meter; ladder thresholds scale with it (合表). */
  households: number;
  tariff_code: string;
  /** 1 when the customer is billed by time-of-use period (峰谷电价). */
  time_of_use: number;
  capacity_kva: number | null;
  contract_demand_kw: number | null;
  basic_basis: BasicChargeBasis | null;
  /** Power-factor standard the customer is assessed against; null when not assessed. */
  pf_standard: PowerFactorStandard | null;
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
