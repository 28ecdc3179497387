// Direct-debit (withholding, 代扣) agreements a bank has signed with its customer
// (ChannelPaymentService.SignWithholding / CancelWithholding).
//
// - agreement_id is the bank's own id (t:AgreementId, "given by the bank"), so it is unique per
//   channel, not globally: two banks may well number their agreements alike.
// - At most one active agreement per customer per channel: a partial unique index (SQL Server
//   calls it a filtered index), so the rule holds under concurrent signings too.
// - bank_account is personal data stored as given (the platform has to hand it to the bank when
//   it asks for a debit); it is never logged or answered unmasked.
// - sign_request_hash / cancel_request_hash: SHA-256 of the canonical request, the idempotency
//   key: the same request is answered as the first time, other content under the id is refused.

import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.ts';
import { columnTypes } from '../column-types.ts';

// Migrations see the database as it was when they were written, not today's Database type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, dialect: DialectName): Promise<void> {
  const t = columnTypes(dialect);
  await t.id(db.schema.createTable('withholding_agreements'))
    .addColumn('channel_id', t.big(), (c) => c.notNull().references('channels.id'))
    .addColumn('agreement_id', t.str(40), (c) => c.notNull())
    .addColumn('customer_id', t.big(), (c) => c.notNull().references('customers.id'))
    .addColumn('bank_account', t.str(30), (c) => c.notNull())
    .addColumn('account_holder_name', t.str(100), (c) => c.notNull())
    .addColumn('status', t.str(16), (c) => c.notNull())
    .addColumn('signed_at', t.str(40), (c) => c.notNull())
    .addColumn('cancelled_at', t.str(40))
    .addColumn('sign_request_hash', t.str(64), (c) => c.notNull())
    .addColumn('cancel_request_hash', t.str(64))
    .addUniqueConstraint('withholding_channel_agreement_uq', ['channel_id', 'agreement_id'])
    .execute();
  await db.schema.createIndex('withholding_active_customer_uq').on('withholding_agreements').columns(['channel_id', 'customer_id']).unique()
    .where(sql.ref('status'), '=', 'active').execute();
  await db.schema.createIndex('withholding_customer_ix').on('withholding_agreements').column('customer_id').execute();
}
