// The business calendar: a provincial power company keeps its books in China Standard Time
// (UTC+08:00, no daylight saving). Accounting dates, due dates and "the month before today" are
// dates in that zone, whatever zone the server runs in.

export const BUSINESS_UTC_OFFSET_MINUTES = 480;

/** The calendar date (YYYY-MM-DD) at the business offset for an instant. */
export function businessDate(instant: Date = new Date()): string {
  return new Date(instant.getTime() + BUSINESS_UTC_OFFSET_MINUTES * 60_000).toISOString().slice(0, 10);
}

/** The instant as ISO 8601 with the business offset, e.g. 2026-11-27T21:30:00.000+08:00. */
export function businessTimestamp(instant: Date = new Date()): string {
  return `${new Date(instant.getTime() + BUSINESS_UTC_OFFSET_MINUTES * 60_000).toISOString().slice(0, 23)}+08:00`;
}
