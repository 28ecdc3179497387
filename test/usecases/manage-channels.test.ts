import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { describeOnEveryStore } from '../support/stores.ts';
import { secretBox } from '../../src/ops/secret-box.ts';
import {
  addChannel, channelViews, enabledCredentials, rotateChannelSecret, setChannelEnabled,
} from '../../src/usecases/manage-channels.ts';
import { GridbillError } from '../../src/errors.ts';
import { verifyAuditChain } from '../../src/store/audit.repository.ts';

const NOW = '2026-11-27T10:00:00.000Z';
const box = secretBox(randomBytes(32));
const ICBC = { code: 'icbc-zj', name: '工商银行浙江分行', kind: 'bank', password: 'Icbc-Secret-2026', operations: ['QueryArrears', 'Pay', 'Reverse'] };

async function failure(p: Promise<unknown>): Promise<GridbillError> {
  const error = await p.then(() => null, (e: unknown) => e);
  expect(error).to.be.instanceOf(GridbillError);
  return error as GridbillError;
}

describeOnEveryStore('channel registration', (h) => {
  it('registers a channel whose password is sealed, never stored in plain text', async () => {
    const view = await addChannel(h.store, box, ICBC, 'admin', NOW);
    expect(view).to.include({ code: 'icbc-zj', kind: 'bank', enabled: true });
    const row = await h.store.db.selectFrom('channels').selectAll().where('code', '=', 'icbc-zj').executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).to.not.include('Icbc-Secret-2026');
    const credentials = await enabledCredentials(h.store, box);
    expect(credentials.get('icbc-zj')?.password).to.equal('Icbc-Secret-2026');
    expect([...credentials.get('icbc-zj')!.operations]).to.deep.equal(['QueryArrears', 'Pay', 'Reverse']);
  });

  it('refuses a second channel with the same code', async () => {
    expect((await failure(addChannel(h.store, box, ICBC, 'admin', NOW))).code).to.equal('CHANNEL_EXISTS');
  });

  it('refuses bad codes, kinds, operations and short passwords, listing every problem', async () => {
    const error = await failure(addChannel(h.store, box, { ...ICBC, code: 'ICBC ZJ', kind: 'atm', operations: ['Pay', 'DropTables'] }, 'admin', NOW));
    expect(error.code).to.equal('CHANNEL_INVALID');
    expect(error.message).to.include('code "ICBC ZJ"').and.to.include('kind "atm"').and.to.include('unknown DropTables');
    expect((await failure(addChannel(h.store, box, { ...ICBC, code: 'abc-bank', password: 'short' }, 'admin', NOW))).message).to.include('12 to 128');
    expect((await channelViews(h.store)).map((v) => v.code)).to.deep.equal(['icbc-zj']);
  });

  it('rotates the password and disables and enables a channel, every change audited', async () => {
    await rotateChannelSecret(h.store, box, 'icbc-zj', 'Icbc-New-Secret-2027', 'admin', NOW);
    expect((await enabledCredentials(h.store, box)).get('icbc-zj')?.password).to.equal('Icbc-New-Secret-2027');
    await setChannelEnabled(h.store, 'icbc-zj', false, 'admin', NOW);
    expect((await enabledCredentials(h.store, box)).has('icbc-zj')).to.equal(false);
    await setChannelEnabled(h.store, 'icbc-zj', true, 'admin', NOW);
    expect((await enabledCredentials(h.store, box)).has('icbc-zj')).to.equal(true);
    expect((await failure(setChannelEnabled(h.store, 'nope', true, 'admin', NOW))).code).to.equal('CHANNEL_NOT_FOUND');
    const actions = (await h.store.db.selectFrom('audit_log').select('action').orderBy('id').execute()).map((r) => r.action);
    expect(actions).to.deep.equal(['channel-add', 'channel-rotate', 'channel-disable', 'channel-enable']);
    expect((await verifyAuditChain(h.store)).kind).to.equal('intact');
  });

  it('cannot open the secrets with another master key', async () => {
    const other = secretBox(randomBytes(32));
    expect((await failure(enabledCredentials(h.store, other))).code).to.equal('CONFIG_INVALID');
  });
});
