// Registering the parties that call gridbill: banks, third-party payment channels and internal
// systems. Each has a code (its WS-Security username), a password sealed at rest, and the list of
// operations it may call. Every change is audited; no secret is ever returned or logged.
// A channel may carry its own reversal window (days after a payment's accounting date it may
// still reverse it); without one the platform default applies (see reverse-payment.ts).

import { GridbillError, isGridbillError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import type { SecretBox } from '../ops/secret-box.ts';
import { isServedOperation } from '../contract/operations.ts';
import { appendAudit } from '../store/audit.repository.ts';
import { findChannelByCode, insertChannel, listChannels } from '../store/channel.repository.ts';
import { inTransaction, type Store } from '../store/database.ts';
import type { ChannelKind, ChannelRow } from '../store/payment.table.ts';

const CODE = /^[a-z0-9][a-z0-9-]{1,31}$/;
const KINDS: readonly ChannelKind[] = ['bank', 'third-party', 'portal', 'internal'];
/** A channel password is typed into a bank's configuration once: make it long. */
const PASSWORD_CHARS_MIN = 12;
const PASSWORD_CHARS_MAX = 128;
const NAME_CHARS_MAX = 100;

export interface NewChannelInput {
  readonly code: string;
  readonly name: string;
  readonly kind: string;
  readonly password: string;
  readonly operations: readonly string[];
  /** Days after the accounting date a payment may still be reversed; absent or null: the platform default. */
  readonly reversalDays?: number | null;
}

export interface ChannelView {
  readonly code: string;
  readonly name: string;
  readonly kind: ChannelKind;
  readonly enabled: boolean;
  readonly operations: readonly string[];
  readonly reversalDays: number | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

function checkPassword(password: string): void {
  if (password.length < PASSWORD_CHARS_MIN || password.length > PASSWORD_CHARS_MAX) {
    throw new GridbillError('CHANNEL_INVALID', `the password must have ${PASSWORD_CHARS_MIN} to ${PASSWORD_CHARS_MAX} characters`);
  }
}

function checkInput(input: NewChannelInput): ChannelKind {
  const problems: string[] = [];
  if (!CODE.test(input.code)) problems.push(`code "${input.code}": 2–32 lower-case letters, digits or "-"`);
  if (input.name.trim() === '' || [...input.name].length > NAME_CHARS_MAX) problems.push(`name: 1–${NAME_CHARS_MAX} characters`);
  if (!(KINDS as readonly string[]).includes(input.kind)) problems.push(`kind "${input.kind}": one of ${KINDS.join(', ')}`);
  const unknown = input.operations.filter((op) => !isServedOperation(op));
  if (input.operations.length === 0) problems.push('operations: at least one');
  if (unknown.length > 0) problems.push(`operations: unknown ${unknown.join(', ')}`);
  const days = input.reversalDays;
  if (days !== undefined && days !== null && (!Number.isSafeInteger(days) || days < 0 || days > LIMITS.reversalDaysMax)) {
    problems.push(`reversal days ${days}: a whole number from 0 to ${LIMITS.reversalDaysMax}`);
  }
  if (problems.length > 0) throw new GridbillError('CHANNEL_INVALID', problems.join('; '));
  checkPassword(input.password);
  return input.kind as ChannelKind;
}

export function viewOf(row: ChannelRow): ChannelView {
  return {
    code: row.code, name: row.name, kind: row.kind, enabled: row.enabled === 1,
    operations: JSON.parse(row.operations) as string[], reversalDays: row.reversal_days, createdAt: row.created_at, updatedAt: row.updated_at,
  };
}

export async function addChannel(store: Store, box: SecretBox, input: NewChannelInput, actor: string, now: string): Promise<ChannelView> {
  const kind = checkInput(input);
  return inTransaction(store, async (tx) => {
    if (await findChannelByCode(tx, input.code)) throw new GridbillError('CHANNEL_EXISTS', input.code);
    await insertChannel(tx, {
      code: input.code, name: input.name, kind, secret_enc: box.seal(input.password),
      operations: JSON.stringify([...new Set(input.operations)]), enabled: 1, created_at: now, updated_at: now,
      reversal_days: input.reversalDays ?? null,
    });
    await appendAudit(tx, {
      at: now, actor, action: 'channel-add', subject: input.code, detail: { kind, operations: input.operations, reversalDays: input.reversalDays ?? null },
    });
    return viewOf((await findChannelByCode(tx, input.code))!);
  });
}

async function updateChannel(
  store: Store, code: string, change: { enabled?: number; secret_enc?: string }, audit: { actor: string; action: string; now: string },
): Promise<ChannelView> {
  return inTransaction(store, async (tx) => {
    const row = await findChannelByCode(tx, code);
    if (!row) throw new GridbillError('CHANNEL_NOT_FOUND', code);
    await tx.db.updateTable('channels').set({ ...change, updated_at: audit.now }).where('id', '=', row.id).execute();
    await appendAudit(tx, { at: audit.now, actor: audit.actor, action: audit.action, subject: code, detail: {} });
    return viewOf((await findChannelByCode(tx, code))!);
  });
}

export function setChannelEnabled(store: Store, code: string, enabled: boolean, actor: string, now: string): Promise<ChannelView> {
  return updateChannel(store, code, { enabled: enabled ? 1 : 0 }, { actor, action: enabled ? 'channel-enable' : 'channel-disable', now });
}

export function rotateChannelSecret(store: Store, box: SecretBox, code: string, password: string, actor: string, now: string): Promise<ChannelView> {
  checkPassword(password);
  return updateChannel(store, code, { secret_enc: box.seal(password) }, { actor, action: 'channel-rotate', now });
}

export async function channelViews(store: Store): Promise<ChannelView[]> {
  return (await listChannels(store)).map(viewOf);
}

export interface ChannelCredential {
  readonly password: string;
  readonly operations: ReadonlySet<string>;
}

/** Told about an enabled channel left out of the credentials because its secret cannot be opened. */
export type UnreadableSecret = (channelCode: string, error: Error) => void;

/**
 * The enabled channels' credentials, for the SOAP server's authentication and authorisation.
 * A channel whose secret does not open (a platform channel's placeholder, a row sealed under
 * another master key) is left out and reported, so that only it is refused: one bad row must not
 * lock every other channel out. But when not one sealed secret opens, the master key is the wrong
 * one, and that is said at once (CONFIG_INVALID) rather than as every channel's failed login.
 */
export async function enabledCredentials(store: Store, box: SecretBox, onUnreadable: UnreadableSecret = () => undefined): Promise<Map<string, ChannelCredential>> {
  const out = new Map<string, ChannelCredential>();
  const unreadable: Array<{ code: string; error: Error }> = [];
  let wrongKey: unknown;
  for (const row of await listChannels(store)) {
    if (row.enabled !== 1) continue;
    try {
      out.set(row.code, { password: box.open(row.secret_enc), operations: new Set(JSON.parse(row.operations) as string[]) });
    } catch (error) {
      if (isGridbillError(error) && error.code === 'CONFIG_INVALID') wrongKey = error;
      unreadable.push({ code: row.code, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }
  if (out.size === 0 && wrongKey !== undefined) throw wrongKey;
  for (const { code, error } of unreadable) onUnreadable(code, error);
  return out;
}
