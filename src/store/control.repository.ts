// Balance notices, remote control commands, the cut-off calendar and protection list, and alerts.

import { sql } from 'kysely';
import { firstRows, type Store } from './database.ts';
import { insertReturningId } from './insert-id.ts';
import { preparedQuery } from './prepared-query.ts';
import type { ControlCommandStatus, NoticeLevel } from '../domain/estimation.ts';
import type { ControlCommandRow, NewControlCommand } from './smart-payment.table.ts';

export async function noticesOfDay(store: Store, day: string, customerIds: readonly number[]): Promise<Array<{ customer_id: number; level: NoticeLevel }>> {
  if (customerIds.length === 0) return [];
  return store.db.selectFrom('balance_notices').select(['customer_id', 'level'])
    .where('day', '=', day).where('customer_id', 'in', [...customerIds]).execute();
}

export async function insertNotice(store: Store, row: { customer_id: number; day: string; level: NoticeLevel; balance_fen: number; created_at: string }): Promise<void> {
  await store.db.insertInto('balance_notices').values(row).execute();
}

/** The earliest cut-off notice of a customer after an instant (exclusive). */
export async function firstCutoffNoticeAfter(store: Store, customerId: number, after: string): Promise<string | undefined> {
  const row = await firstRows(store, store.db.selectFrom('balance_notices').select('created_at')
    .where('customer_id', '=', customerId).where('level', '=', 'cutoff').where('created_at', '>', after).orderBy('created_at'), 1).executeTakeFirst();
  return row?.created_at;
}

/** When the customer last paid (a posted payment), or undefined. */
export async function lastPaymentAt(store: Store, customerId: number): Promise<string | undefined> {
  const row = await store.db.selectFrom('payments').select((eb) => eb.fn.max('created_at').as('at'))
    .where('customer_id', '=', customerId).where('status', '=', 'posted').executeTakeFirst();
  return row?.at ?? undefined;
}

/** How many of a customer's latest commands the check after a payment looks at. */
const RECENT_COMMANDS_AFTER_PAYMENT = 20;

// Every posted payment asks this (the reconnect check): one statement from the customer no,
// prepared, with the row count in its text. A bound `limit ?` lets SQLite (built with STAT4)
// plan the statement again on every run, which cost five times the query itself.
const recentCommandsByNo = preparedQuery<{ customerNo: string }, Pick<ControlCommandRow, 'customer_id' | 'kind' | 'status'>>(
  (db, param, dialect) => {
    const query = db.selectFrom('control_commands')
      .innerJoin('customers', 'customers.id', 'control_commands.customer_id')
      .select(['control_commands.customer_id', 'control_commands.kind', 'control_commands.status'])
      .where('customers.customer_no', '=', param('customerNo'))
      .orderBy('control_commands.id', 'desc');
    return dialect === 'mssql' ? query.top(RECENT_COMMANDS_AFTER_PAYMENT) : query.limit(sql.lit(RECENT_COMMANDS_AFTER_PAYMENT));
  });

/** The latest commands (kind and status) of the customer with this number, newest first. */
export function recentCommandsOfCustomerNo(store: Store, customerNo: string): Promise<Array<Pick<ControlCommandRow, 'customer_id' | 'kind' | 'status'>>> {
  return recentCommandsByNo.execute(store, { customerNo });
}

/** The customer's commands, newest first. */
export function commandsOfCustomer(store: Store, customerId: number, limit: number): Promise<ControlCommandRow[]> {
  return firstRows(store, store.db.selectFrom('control_commands').selectAll().where('customer_id', '=', customerId).orderBy('id', 'desc'), limit).execute();
}

export function insertControlCommand(store: Store, row: NewControlCommand): Promise<number> {
  return insertReturningId(store, 'control_commands', row);
}

export function findControlCommand(store: Store, id: number): Promise<ControlCommandRow | undefined> {
  return store.db.selectFrom('control_commands').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Changes a command only from the status it was read in; answers whether it did. */
export async function updateControlCommand(
  store: Store, id: number, from: ControlCommandStatus, patch: Partial<Omit<ControlCommandRow, 'id' | 'command_id'>>,
): Promise<boolean> {
  const result = await store.db.updateTable('control_commands').set(patch).where('id', '=', id).where('status', '=', from).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export interface CommandFilter {
  readonly status?: ControlCommandStatus;
  readonly customerNo?: string;
  /** createdAt range, UTC instants [from, to). */
  readonly from?: string;
  readonly to?: string;
  readonly afterId?: number;
  readonly limit: number;
}

export async function pageOfControlCommands(store: Store, filter: CommandFilter) {
  let query = store.db.selectFrom('control_commands')
    .innerJoin('customers', 'customers.id', 'control_commands.customer_id')
    .innerJoin('meters', 'meters.id', 'control_commands.meter_id')
    .selectAll('control_commands').select(['customers.customer_no', 'meters.meter_no']);
  if (filter.status !== undefined) query = query.where('control_commands.status', '=', filter.status);
  if (filter.customerNo !== undefined) query = query.where('customers.customer_no', '=', filter.customerNo);
  if (filter.from !== undefined) query = query.where('control_commands.created_at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('control_commands.created_at', '<', filter.to);
  if (filter.afterId !== undefined) query = query.where('control_commands.id', '>', filter.afterId);
  return firstRows(store, query.orderBy('control_commands.id'), filter.limit).execute();
}

/** Commands in a status, oldest first (the dispatcher's queue). */
export function commandsInStatus(store: Store, status: ControlCommandStatus, limit: number): Promise<ControlCommandRow[]> {
  return firstRows(store, store.db.selectFrom('control_commands').selectAll().where('status', '=', status).orderBy('id'), limit).execute();
}

/** The meter a switch command goes to: the customer's first meter in service. */
export async function switchMeterOf(store: Store, customerId: number): Promise<{ id: number; meter_no: string } | undefined> {
  return firstRows(store, store.db.selectFrom('meters').select(['id', 'meter_no'])
    .where('customer_id', '=', customerId).where('removed_on', 'is', null).orderBy('id'), 1).executeTakeFirst();
}

export async function isHoliday(store: Store, day: string): Promise<boolean> {
  return (await store.db.selectFrom('control_holidays').select('day').where('day', '=', day).executeTakeFirst()) !== undefined;
}

export async function addHoliday(store: Store, day: string, name: string): Promise<void> {
  await store.db.insertInto('control_holidays').values({ day, name }).execute();
}

export async function isProtected(store: Store, customerId: number, day: string): Promise<boolean> {
  const row = await store.db.selectFrom('protected_customers').select(['until_day']).where('customer_id', '=', customerId).executeTakeFirst();
  return row !== undefined && (row.until_day === null || row.until_day >= day);
}

export async function protectCustomer(store: Store, row: { customer_id: number; reason: string; until_day: string | null; created_at: string }): Promise<void> {
  await store.db.insertInto('protected_customers').values(row).execute();
}

export async function insertAlert(store: Store, row: { kind: string; subject: string; message: string; created_at: string }): Promise<number> {
  return insertReturningId(store, 'alerts', { ...row, acknowledged_at: null });
}

export function listAlerts(store: Store, afterId: number, limit: number) {
  return firstRows(store, store.db.selectFrom('alerts').selectAll().where('id', '>', afterId).orderBy('id'), limit).execute();
}

/** Customers whose latest completed command is a disconnect and who have no reconnect open. */
export async function disconnectedCustomers(store: Store, afterCustomerId: number, limit: number): Promise<number[]> {
  const rows = await firstRows(store, store.db.selectFrom('control_commands as d').select('d.customer_id').distinct()
    .where('d.kind', '=', 'DISCONNECT').where('d.status', '=', 'DONE').where('d.customer_id', '>', afterCustomerId)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('control_commands as r').select('r.id')
      .whereRef('r.customer_id', '=', 'd.customer_id').whereRef('r.id', '>', 'd.id').where('r.kind', '=', 'RECONNECT')
      .where('r.status', 'not in', ['FAILED', 'CANCELLED']))))
    .orderBy('d.customer_id'), limit).execute();
  return rows.map((r) => Number(r.customer_id));
}
