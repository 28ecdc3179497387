import type { Generated, Insertable, Selectable } from 'kysely';
import type { ControlCommandKind, ControlCommandStatus, EstimationAlgorithm, EstimationFallback, NoticeLevel } from '../domain/estimation.ts';

export interface EstimationSegmentTable {
  segment: string;
  algorithm: EstimationAlgorithm;
  fallback: EstimationFallback;
  runs_per_day: number;
  /** 'HH:MM' at the business offset: when the scheduler runs the segment's estimation. */
  window_start: string;
  window_end: string;
  /** Months of issued bills the average-use fallback is taken over. */
  average_months: number;
  /** Share of a residential TOU customer's kWh priced at the peak price, basis points. */
  peak_share_bp: number;
  alarm1_fen: number;
  alarm2_fen: number;
  grace_hours: number;
  /** Disconnects are sent only between these times ('HH:MM', business offset). */
  cutoff_from: string;
  cutoff_to: string;
  updated_at: string;
  updated_by: string;
}

export interface EstimationRunTable {
  id: Generated<number>;
  day: string;
  slot: number;
  segment: string | null;
  status: 'running' | 'finished' | 'failed';
  started_at: string;
  finished_at: string | null;
  summary: string | null;
}

export interface SmartEstimateTable {
  id: Generated<number>;
  customer_id: number;
  /** 'YYYY-MM-DD' for a daily estimate, 'YYYY-MM-DDTHH' (slot start hour) for one of several a day. */
  period_key: string;
  month: string;
  kwh: number;
  amount_fen: number;
  algorithm: EstimationAlgorithm;
  /** 1 when the kWh are an average, not measured. */
  estimated: number;
  run_id: number;
  created_at: string;
}

export interface EstimateSettlementTable {
  id: Generated<number>;
  bill_id: number;
  customer_id: number;
  period: string;
  estimates_fen: number;
  bill_fen: number;
  /** bill − estimates: charged to (positive) or given back to (negative) the prepaid balance. */
  settlement_fen: number;
  settled_at: string;
}

export interface MeterIntervalTable {
  id: Generated<number>;
  meter_id: number;
  /** UTC instant the interval starts. */
  starts_at: string;
  kwh_hundredths: number;
}

export interface BalanceNoticeTable {
  id: Generated<number>;
  customer_id: number;
  day: string;
  level: NoticeLevel;
  balance_fen: number;
  created_at: string;
}

export interface ControlCommandTable {
  id: Generated<number>;
  command_id: string;
  customer_id: number;
  meter_id: number;
  kind: ControlCommandKind;
  status: ControlCommandStatus;
  reason: string;
  created_at: string;
  approved_by: string | null;
  approved_at: string | null;
  sent_at: string | null;
  completed_at: string | null;
  attempts: Generated<number>;
  last_error: string | null;
}

export interface ControlHolidayTable {
  day: string;
  name: string;
}

export interface ProtectedCustomerTable {
  customer_id: number;
  reason: string;
  until_day: string | null;
  created_at: string;
}

export interface AlertTable {
  id: Generated<number>;
  kind: string;
  subject: string;
  message: string;
  created_at: string;
  acknowledged_at: string | null;
}

export interface SchedulerLeaseTable {
  job: string;
  holder: string;
  expires_at: string;
  last_run_key: string | null;
}

export type EstimationSegmentRow = Selectable<EstimationSegmentTable>;
export type SmartEstimateRow = Selectable<SmartEstimateTable>;
export type NewSmartEstimate = Insertable<SmartEstimateTable>;
export type ControlCommandRow = Selectable<ControlCommandTable>;
export type NewControlCommand = Insertable<ControlCommandTable>;
export type AlertRow = Selectable<AlertTable>;
