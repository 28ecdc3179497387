import type { Store } from './database.ts';
import type { ChannelRow, NewChannel } from './payment.table.ts';
import { insertReturningId } from './insert-id.ts';

export function insertChannel(store: Store, channel: NewChannel): Promise<number> {
  return insertReturningId(store, 'channels', channel);
}

export function findChannelByCode(store: Store, code: string): Promise<ChannelRow | undefined> {
  return store.db.selectFrom('channels').selectAll().where('code', '=', code).executeTakeFirst();
}

export function listChannels(store: Store): Promise<ChannelRow[]> {
  return store.db.selectFrom('channels').selectAll().orderBy('code').execute();
}
