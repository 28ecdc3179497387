// Billing administration (BillingAdminService, OperationsService).
//
// - A bill run started over SOAP runs on after the answer, so two callers could start the same
//   period at once: at most one run per period is `running`, a partial unique index (SQL Server:
//   a filtered one) keeps it so under concurrent starts on several cores. A run whose process died
//   stays `running`; heartbeat_at (written with every stored slice) tells a live run from a dead
//   one, which a new run of the period then marks failed (LIMITS.billRunStaleMs).
//   Runs left `running` when this migration is applied died before it: they are marked failed,
//   or the index could not be built.
// - channel_activity: calls and failures per channel and business day, and when the channel was
//   last seen, for OperationsService.GetChannelStatus. Each core counts in memory and adds its
//   counts here in one batch every LIMITS.channelActivityFlushMs, so several cores share the
//   figures without a write on any request's path. channel_code is not a foreign key: a channel's
//   counters outlive nothing, but the flush must not fail on a channel removed meanwhile.

import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.ts';
import { columnTypes } from '../column-types.ts';

// Migrations see the database as it was when they were written, not today's Database type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema.alterTable('bill_runs').addColumn('heartbeat_at', t.str(40)).execute();
  await db.updateTable('bill_runs').set({ status: 'failed' }).where('status', '=', 'running').execute();
  await db.schema.createIndex('bill_runs_running_period_uq').on('bill_runs').column('period').unique()
    .where(sql.ref('status'), '=', 'running').execute();

  await t.id(db.schema.createTable('channel_activity'))
    .addColumn('channel_code', t.str(32), (c) => c.notNull())
    .addColumn('day', t.str(10), (c) => c.notNull())
    .addColumn('calls', t.big(), (c) => c.notNull())
    .addColumn('failures', t.big(), (c) => c.notNull())
    .addColumn('last_seen', t.str(40), (c) => c.notNull())
    .addUniqueConstraint('channel_activity_channel_day_uq', ['channel_code', 'day'])
    .execute();
}
