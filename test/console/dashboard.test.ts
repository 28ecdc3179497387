// The console's operations dashboard over HTTP: today's channel calls, the month's channel
// assessment (and day by day for one channel), the terminals not online and the active alerts,
// every value escaped.

import { expect } from 'chai';
import { businessDate } from '../../src/clock.ts';
import { insertAlert } from '../../src/store/control.repository.ts';
import { insertMeter } from '../../src/store/meter.repository.ts';
import { addChannel } from '../../src/usecases/manage-channels.ts';
import { addStaffUser } from '../../src/usecases/staff-accounts.ts';
import { addCustomer } from '../support/payments.ts';
import { startTestCore, type TestCore } from '../support/test-core.ts';
import { call, operation, securityHeader } from '../soap/soap-client.ts';
import { ConsoleClient } from './console-client.ts';

const PASSWORD = 'console2026';
const CHANNEL_PASSWORD = 'dashboard bank secret 1';

describe('console operations dashboard', function () {
  this.timeout(30_000);
  let core: TestCore;
  before(async () => {
    core = await startTestCore(async (store, box) => {
      const now = new Date().toISOString();
      await addStaffUser(store, { username: 'operator', role: 'operator', password: PASSWORD }, 'test', now);
      await addChannel(store, box, { code: 'bank-d', name: 'Bank D', kind: 'bank', password: CHANNEL_PASSWORD, operations: ['QueryArrears'] }, 'test', now);
      const customerId = await addCustomer(store, '3300000000045');
      await insertMeter(store, { meter_no: 'M330100000045', customer_id: customerId, ct_ratio: 1, pt_ratio: 1, installed_on: '2026-01-01', removed_on: null, status: 'installed' });
      await insertAlert(store, { kind: 'control-command-failed', subject: 'control-command:C9', message: 'RECONNECT C9: <script>alert(1)</script>', created_at: now });
    });
  });
  after(async () => core?.stop());

  it('shows the month\'s assessment, the terminals not online and the active alerts, escaped', async () => {
    await call(core.endpoint('ChannelPaymentService'), operation('QueryArrears', { customerNo: '3300000009999' }), { header: securityHeader('bank-d', CHANNEL_PASSWORD) });
    const c = new ConsoleClient(core.server.url);
    expect((await c.login('operator', PASSWORD)).status).to.equal(303);
    const page = await c.get('/console/');
    expect(page.status, page.text).to.equal(200);
    expect(page.text).to.include('id="channel-assessment"');
    expect(page.text).to.match(/<tr data-channel="bank-d"><td><a href="\?channel=bank-d">bank-d<\/a><\/td><td class="num">1<\/td><td class="num">0\.00%<\/td><td class="num">100\.00%<\/td>/);
    expect(page.text).to.match(/<tr data-meter="M330100000045" data-status="OFFLINE">/);
    expect(page.text).to.include('<tr data-severity="CRITICAL">');
    expect(page.text).to.include('&lt;script&gt;');
    expect(page.text).to.not.include('<script>alert(1)');
    expect(page.text).to.not.include('id="channel-assessment-days"');
    const days = await c.get('/console/?channel=bank-d');
    expect(days.text).to.include('id="channel-assessment-days"');
    expect(days.text).to.include(`<tr data-day="${businessDate()}">`);
  });
});
