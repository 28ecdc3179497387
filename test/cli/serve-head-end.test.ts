// `serve all` without GRIDBILL_HEADEND_URL starts the head-end simulator and says it is one; with
// it, the core calls that head-end. The core's scheduler starts with the platform and stops with it.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { startPlatform } from '../../src/cli/serve.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/ops/logger.ts';

function env(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    GRIDBILL_DB: `sqlite:${join(dir, 'gridbill.db')}`, GRIDBILL_SECRET_KEY_FILE: join(dir, 'secret.key'), GRIDBILL_DEMO: 'false',
    GRIDBILL_CORE_PORT: '0', GRIDBILL_GATEWAY_PORT: '0', GRIDBILL_PORTAL_PORT: '0', GRIDBILL_GATEWAY_POLICY: join(dir, 'policy.json'),
    GRIDBILL_GATEWAY_KEY_FILE: join(dir, 'gateway.key'), GRIDBILL_GATEWAY_QUARANTINE: 'off', GRIDBILL_CA_DIR: join(dir, 'ca'), ...extra,
  };
}

describe('serve and the meter head-end', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'gridbill-headend-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('all: starts the head-end simulator, says so, starts the scheduler, and stops both', async () => {
    const lines: string[] = [];
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    const platform = await startPlatform(loadConfig(env(dir)), 'all', createLogger({ level: 'info', role: 'all', stream }));
    try {
      expect(platform.headEnd?.simulated).to.equal(true);
      expect(platform.headEnd?.url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/soap\/MeterControlService$/);
      const answer = await fetch(platform.headEnd!.url, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: '<x/>' });
      expect(answer.status).to.equal(500);
      expect(lines.some((l) => l.includes('head-end simulator started'))).to.equal(true);
      expect(lines.some((l) => l.includes('scheduler started'))).to.equal(true);
    } finally {
      await platform.stop();
    }
    await fetch(platform.headEnd!.url).then(() => expect.fail('the simulator still answers'), () => undefined);
  });

  it('core: uses GRIDBILL_HEADEND_URL and starts no simulator', async () => {
    const first = await startPlatform(loadConfig(env(dir)), 'all', createLogger({ level: 'error', role: 'all', silent: true }));
    await first.stop(); // migrates the database serve core expects
    const platform = await startPlatform(loadConfig(env(dir, { GRIDBILL_HEADEND_URL: 'http://127.0.0.1:9/soap/MeterControlService' })), 'core',
      createLogger({ level: 'error', role: 'core', silent: true }));
    try {
      expect(platform.headEnd).to.deep.equal({ url: 'http://127.0.0.1:9/soap/MeterControlService', simulated: false });
    } finally {
      await platform.stop();
    }
  });

  it('refuses a head-end URL that is not http', () => {
    expect(() => loadConfig(env(dir, { GRIDBILL_HEADEND_URL: 'ftp://head-end' }))).to.throw(/GRIDBILL_HEADEND_URL/);
  });
});
