// The core's development page of the SMS outbox, which the portal's login page links to in
// development: served only when the core is given the outbox (serve all with demo data).

import { expect } from 'chai';
import { startTestCore } from '../support/test-core.ts';

describe('core: development SMS outbox page', () => {
  it('is not served unless the core is started with it', async () => {
    const core = await startTestCore(async () => {});
    try {
      expect((await fetch(`${core.server.url}/dev/sms-outbox`)).status).to.equal(404);
    } finally {
      await core.stop();
    }
  });
});
