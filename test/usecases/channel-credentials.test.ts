// A channel whose sealed secret cannot be opened is left out of the credentials (and reported);
// every other channel still authenticates.

import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { describeOnEveryStore } from '../support/stores.ts';
import { secretBox } from '../../src/ops/secret-box.ts';
import { addChannel, enabledCredentials, setChannelEnabled } from '../../src/usecases/manage-channels.ts';
import { settleEstimates } from '../../src/usecases/settle-estimates.ts';
import type { GridbillError } from '../../src/errors.ts';

const NOW = '2026-11-27T10:00:00.000Z';
const box = secretBox(randomBytes(32));

describeOnEveryStore('channel credentials with an unreadable secret', (h) => {
  before(async () => {
    await addChannel(h.store, box, { code: 'good-bank', name: '好银行', kind: 'bank', password: 'Good-Bank-Secret-1', operations: ['Pay'] }, 'admin', NOW);
    await addChannel(h.store, secretBox(randomBytes(32)), { code: 'other-key', name: '他钥', kind: 'bank', password: 'Other-Key-Secret-1', operations: ['Pay'] }, 'admin', NOW);
    // The platform's settlement channel is created with a placeholder secret; enabling it by mistake must not lock others out.
    await settleEstimates(h.store, { period: '2026-10', now: NOW, actor: 'test' });
    await setChannelEnabled(h.store, 'smart-settlement', true, 'admin', NOW);
  });

  it('leaves out each channel whose secret does not open, reports it, and keeps the others', async () => {
    const reported: string[] = [];
    const credentials = await enabledCredentials(h.store, box, (code, error) => reported.push(`${code}: ${error.message}`));
    expect([...credentials.keys()]).to.deep.equal(['good-bank']);
    expect(credentials.get('good-bank')?.password).to.equal('Good-Bank-Secret-1');
    expect(reported.map((r) => r.split(':')[0]).sort()).to.deep.equal(['other-key', 'smart-settlement']);
    expect(reported.join('\n')).to.not.include('Secret-1');
  });

  it('says the master key is wrong when not one sealed secret opens', async () => {
    const error = await enabledCredentials(h.store, secretBox(randomBytes(32))).then(() => undefined, (e: unknown) => e as GridbillError);
    expect(error?.code).to.equal('CONFIG_INVALID');
  });

  it('skips them silently when nobody listens', async () => {
    expect([...(await enabledCredentials(h.store, box)).keys()]).to.deep.equal(['good-bank']);
  });
});
