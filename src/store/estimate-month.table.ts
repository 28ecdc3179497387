/**
 * Per account and month, the sum of its estimates (smart_estimates): what the estimation run reads
 * for an account's ladder-year position, one row per month instead of one per estimate. Written
 * only with the estimates themselves (estimation.repository.ts), in the same transaction.
 */
export interface SmartEstimateMonthTable {
  customer_id: number;
  month: string;
  kwh: number;
  amount_fen: number;
}
