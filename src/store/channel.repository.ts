import type { Store } from './database.ts';
import type { ChannelRow, NewChannel } from './payment.table.ts';
import { insertReturningId } from './insert-id.ts';
import { preparedQuery } from './prepared-query.ts';

export function insertChannel(store: Store, channel: NewChannel): Promise<number> {
  return insertReturningId(store, 'channels', channel);
}

const channelByCode = preparedQuery<{ code: string }, ChannelRow>((db, param) =>
  db.selectFrom('channels').selectAll().where('code', '=', param('code')));

/** Every channel request looks its channel up: prepared. */
export function findChannelByCode(store: Store, code: string): Promise<ChannelRow | undefined> {
  return channelByCode.executeTakeFirst(store, { code });
}

export function listChannels(store: Store): Promise<ChannelRow[]> {
  return store.db.selectFrom('channels').selectAll().orderBy('code').execute();
}
