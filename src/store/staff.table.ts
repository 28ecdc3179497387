import type { Generated, Insertable, Selectable } from 'kysely';

/** The roles of the admin console; what each may do is src/console/permissions.ts. */
export type StaffRole = 'billing-clerk' | 'auditor' | 'operator' | 'administrator';

/** A member of staff (migration 0009); the password only as an scrypt hash. */
export interface StaffUserTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  role: StaffRole;
  password_hash: string;
  password_salt: string;
  password_params: string;
  /** 1 enabled, 0 disabled (a person who left: kept, since the audit log names them). */
  enabled: number;
  failed_logins: Generated<number>;
  locked_until: string | null;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

/** A console login session; only the SHA-256 of its token is kept. */
export interface ConsoleSessionTable {
  id: Generated<number>;
  staff_id: number;
  token_hash: string;
  /** Random key (hex) the session's CSRF tokens are made with. */
  csrf_key: string;
  created_at: string;
  expires_at: string;
  ended_at: string | null;
}

export type StaffUserRow = Selectable<StaffUserTable>;
export type NewStaffUser = Insertable<StaffUserTable>;
export type ConsoleSessionRow = Selectable<ConsoleSessionTable>;
export type NewConsoleSession = Insertable<ConsoleSessionTable>;
