import type { Generated, Selectable } from 'kysely';

/** Append-only; each row's hash covers its content and the previous row's hash. */
export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor: string;
  action: string;
  subject: string;
  detail: string;
  prev_hash: string;
  hash: string;
}

export type AuditRow = Selectable<AuditLogTable>;
