import type { Generated, Insertable, Selectable } from 'kysely';

/** A customer's online access (migration 0005): the password as an scrypt hash, never as text. */
export interface CustomerCredentialTable {
  id: Generated<number>;
  customer_id: number;
  /** scrypt output, hex. */
  password_hash: string;
  /** Random salt, hex. */
  password_salt: string;
  /** The scrypt parameters the hash was made with, e.g. "scrypt:16384:8:1:32". */
  password_params: string;
  /** Failed logins in a row; reset by a successful one. */
  failed_logins: Generated<number>;
  /** UTC instant until which logins are refused; null: not locked. */
  locked_until: string | null;
  email: string | null;
  opened_at: string;
  password_changed_at: string;
  last_login_at: string | null;
}

export type LoginCodePurpose = 'login' | 'phone-change';

/** An SMS code, stored as an scrypt hash with its salt. */
export interface LoginCodeTable {
  id: Generated<number>;
  customer_id: number;
  purpose: LoginCodePurpose;
  /** The phone it was sent to (for a phone change, the new phone). */
  phone: string;
  code_hash: string;
  code_salt: string;
  code_params: string;
  /** Wrong entries so far. */
  attempts: Generated<number>;
  created_at: string;
  expires_at: string;
  /** Set when the code was used, or made void by too many wrong entries. */
  consumed_at: string | null;
}

/** A login session; only the SHA-256 of its token is kept. */
export interface CustomerSessionTable {
  id: Generated<number>;
  customer_id: number;
  token_hash: string;
  /** The channel (portal, app) the customer logged in through. */
  channel_code: string;
  created_at: string;
  expires_at: string;
  /** Set by Logout, or when the password was changed in another session. */
  ended_at: string | null;
}

export type CustomerCredentialRow = Selectable<CustomerCredentialTable>;
export type NewCustomerCredential = Insertable<CustomerCredentialTable>;
export type LoginCodeRow = Selectable<LoginCodeTable>;
export type NewLoginCode = Insertable<LoginCodeTable>;
export type CustomerSessionRow = Selectable<CustomerSessionTable>;
export type NewCustomerSession = Insertable<CustomerSessionTable>;
