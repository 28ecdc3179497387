// The append-only, hash-chained audit log. Each record's hash is SHA-256 over the previous hash
// and the record's canonical content, so an edited, removed or reordered record breaks the chain
// at the first place it was touched.

import { createHash } from 'node:crypto';
import { CompiledQuery, sql } from 'kysely';
import { firstRows, inTransaction, type Store } from './database.ts';
import type { AuditRow } from './audit.table.ts';
import { preparedQuery } from './prepared-query.ts';

export const GENESIS_HASH = '0'.repeat(64);
const VERIFY_PAGE_ROWS = 1_000;

export interface AuditRecord {
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly subject: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

export function auditHash(prevHash: string, record: { at: string; actor: string; action: string; subject: string; detail: string }): string {
  const canonical = JSON.stringify([prevHash, record.at, record.actor, record.action, record.subject, record.detail]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

const CHAIN_LOCK_POSTGRES = CompiledQuery.raw('select pg_advisory_xact_lock(7240001)');

/** Serialises appenders so two records never chain onto the same predecessor. */
async function lockChain(store: Store): Promise<void> {
  switch (store.dialect) {
    case 'sqlite': return; // one writer at a time by construction
    case 'postgres': await store.db.executeQuery(CHAIN_LOCK_POSTGRES); return;
    case 'mssql': await sql`exec sp_getapplock @Resource = 'gridbill_audit', @LockMode = 'Exclusive', @LockOwner = 'Transaction'`.execute(store.db); return;
  }
}

// Every payment appends a record: both statements prepared. The row count is written into the
// text: SQLite plans `limit 1` as a step back from the end of the table, and a bound `limit ?`
// (firstRows) costs three times as much.
const lastHash = preparedQuery<Record<string, never>, { hash: string }>((db, _param, dialect) => {
  const query = db.selectFrom('audit_log').select('hash').orderBy('id', 'desc');
  return dialect === 'mssql' ? query.top(1) : query.limit(sql.lit(1));
});

const auditInsert = preparedQuery<Omit<AuditRow, 'id'>, never>((db, param) => db.insertInto('audit_log').values({
  at: param('at'), actor: param('actor'), action: param('action'), subject: param('subject'), detail: param('detail'),
  prev_hash: param('prev_hash'), hash: param('hash'),
}));

export function appendAudit(store: Store, record: AuditRecord): Promise<void> {
  return inTransaction(store, async (tx) => {
    await lockChain(tx);
    const last = await lastHash.executeTakeFirst(tx, {});
    const prevHash = last?.hash ?? GENESIS_HASH;
    const detail = JSON.stringify(record.detail);
    const row = { at: record.at, actor: record.actor, action: record.action, subject: record.subject, detail };
    await auditInsert.run(tx, { ...row, prev_hash: prevHash, hash: auditHash(prevHash, row) });
  });
}

export type AuditVerdict =
  | { readonly kind: 'intact'; readonly records: number }
  | { readonly kind: 'broken'; readonly records: number; readonly firstBrokenId: number; readonly reason: string };

function checkRow(row: AuditRow, expectedPrev: string): string | null {
  if (row.prev_hash !== expectedPrev) return 'previous hash does not match the record before it';
  if (auditHash(row.prev_hash, row) !== row.hash) return 'content does not match its hash';
  return null;
}

/** Walks the chain in pages (bounded memory) and reports the first broken link. */
export async function verifyAuditChain(store: Store): Promise<AuditVerdict> {
  let expectedPrev = GENESIS_HASH;
  let afterId = 0;
  let records = 0;
  for (;;) {
    const query = store.db.selectFrom('audit_log').selectAll().where('id', '>', afterId).orderBy('id');
    const page = await firstRows(store, query, VERIFY_PAGE_ROWS).execute();
    if (page.length === 0) return { kind: 'intact', records };
    for (const row of page) {
      const reason = checkRow(row, expectedPrev);
      if (reason) return { kind: 'broken', records, firstBrokenId: row.id, reason };
      expectedPrev = row.hash;
      afterId = row.id;
      records += 1;
    }
  }
}
