// What the daily estimation run reads for a million accounts, made cheap to read, however many
// days of the month (and months of the ladder year) have been estimated already.
//
// - ledger_entries_account_amount_ix replaces ledger_entries_account_ix: the same leading columns,
//   so every query that used the old index uses this one, plus amount_fen, so a customer's prepaid
//   balance (the sum of its `prepaid` entries) is read from the index alone. Without it every
//   entry of the balance was a row fetched from the table, and a customer gains one a day. It
//   replaces rather than adds: an index more would cost every ledger posting another insert.
// - smart_estimate_months: per account and month the sum of its estimates, kept with the
//   estimates (estimation.repository.ts). An account's ladder-year position needs its months'
//   estimated kWh; summed from smart_estimates that is a row fetched per estimate (30 a month,
//   up to 365 a ladder year, each on another page): at the end of a month it made reading a slice
//   five times slower. Clustered by its key on SQLite (WITHOUT ROWID): an account's months lie
//   together. Filled here from the estimates already stored.

import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.ts';
import { columnTypes } from '../column-types.ts';

// Migrations see the database as it was when they were written, not today's Database type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, dialect: DialectName): Promise<void> {
  await db.schema.createIndex('ledger_entries_account_amount_ix').on('ledger_entries')
    .columns(['account_code', 'customer_id', 'amount_fen']).execute();
  // SQL Server names the table of an index it drops; the others know the name alone.
  const drop = db.schema.dropIndex('ledger_entries_account_ix');
  await (dialect === 'mssql' ? drop.on('ledger_entries') : drop).execute();
  const t = columnTypes(dialect);
  const table = db.schema.createTable('smart_estimate_months')
    .addColumn('customer_id', t.big(), (c) => c.notNull().references('customers.id'))
    .addColumn('month', t.str(7), (c) => c.notNull())
    .addColumn('kwh', t.big(), (c) => c.notNull())
    .addColumn('amount_fen', t.big(), (c) => c.notNull())
    .addPrimaryKeyConstraint('smart_estimate_months_pk', ['customer_id', 'month']);
  await (dialect === 'sqlite' ? table.modifyEnd(sql`without rowid`) : table).execute();
  await db.insertInto('smart_estimate_months').columns(['customer_id', 'month', 'kwh', 'amount_fen'])
    .expression((eb) => eb.selectFrom('smart_estimates')
      .select(['customer_id', 'month', eb.fn.sum('kwh').as('kwh'), eb.fn.sum('amount_fen').as('amount_fen')])
      .groupBy(['customer_id', 'month']))
    .execute();
}
