// The per-segment estimation settings (estimation_segments) as the domain reads them, and their
// editing: every problem of a change is reported at once, and a change is audited.

import { settingsProblems, type SegmentSettings } from '../domain/estimation.ts';
import { GridbillError } from '../errors.ts';
import { appendAudit } from '../store/audit.repository.ts';
import { inTransaction, type Store } from '../store/database.ts';
import { segmentSettingsRows, updateSegmentSettingsRow } from '../store/estimation.repository.ts';
import type { EstimationSegmentRow } from '../store/smart-payment.table.ts';
import { isSegment, type Segment } from './run-billing.ts';

export function settingsOfRow(row: EstimationSegmentRow): SegmentSettings {
  return {
    segment: row.segment, algorithm: row.algorithm, fallback: row.fallback, runsPerDay: Number(row.runs_per_day),
    windowStart: row.window_start, windowEnd: row.window_end, averageMonths: Number(row.average_months), peakShareBp: Number(row.peak_share_bp),
    alarm1Fen: Number(row.alarm1_fen), alarm2Fen: Number(row.alarm2_fen), graceHours: Number(row.grace_hours),
    cutoffFrom: row.cutoff_from, cutoffTo: row.cutoff_to,
  };
}

export async function loadSegmentSettings(store: Store): Promise<Map<Segment, SegmentSettings>> {
  const out = new Map<Segment, SegmentSettings>();
  for (const row of await segmentSettingsRows(store)) {
    if (isSegment(row.segment)) out.set(row.segment, settingsOfRow(row));
  }
  return out;
}

export async function segmentSettingsOf(store: Store, segment: Segment): Promise<SegmentSettings> {
  const settings = (await loadSegmentSettings(store)).get(segment);
  if (settings === undefined) throw new GridbillError('ESTIMATION_SETTINGS_INVALID', `no settings for segment ${segment}`);
  return settings;
}

/** Changes some settings of a segment; the result must be usable as a whole. */
export async function updateSegmentSettings(
  store: Store, segment: Segment, change: Partial<Omit<SegmentSettings, 'segment'>>, acting: { readonly actor: string; readonly now: string },
): Promise<SegmentSettings> {
  return inTransaction(store, async (tx) => {
    const next: SegmentSettings = { ...await segmentSettingsOf(tx, segment), ...change, segment };
    const problems = settingsProblems(next);
    if (problems.length > 0) throw new GridbillError('ESTIMATION_SETTINGS_INVALID', problems.join('; '));
    await updateSegmentSettingsRow(tx, segment, {
      algorithm: next.algorithm, fallback: next.fallback, runs_per_day: next.runsPerDay, window_start: next.windowStart, window_end: next.windowEnd,
      average_months: next.averageMonths, peak_share_bp: next.peakShareBp, alarm1_fen: next.alarm1Fen, alarm2_fen: next.alarm2Fen,
      grace_hours: next.graceHours, cutoff_from: next.cutoffFrom, cutoff_to: next.cutoffTo, updated_at: acting.now, updated_by: acting.actor,
    });
    await appendAudit(tx, { at: acting.now, actor: acting.actor, action: 'estimation-settings', subject: `segment:${segment}`, detail: { ...change } });
    return next;
  });
}
