import type { Generated, Insertable, Selectable } from 'kysely';

export type SmsTemplate = 'login-code' | 'phone-change-code' | 'phone-changed' | 'online-access-opened'
  | 'balance-alarm' | 'cutoff-notice' | 'disconnected' | 'reconnected';
export type SmsStatus = 'pending' | 'sent';

/** An SMS waiting for (or handed to) the SMS gateway: the transactional outbox (migration 0005). */
export interface SmsOutboxTable {
  id: Generated<number>;
  phone: string;
  customer_id: number | null;
  template: SmsTemplate;
  /** The text as sent, Chinese; it may carry a code, so it is never logged. */
  body: string;
  status: SmsStatus;
  created_at: string;
  sent_at: string | null;
}

export type SmsOutboxRow = Selectable<SmsOutboxTable>;
export type NewSms = Insertable<SmsOutboxTable>;
