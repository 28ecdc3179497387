import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadConfig } from '../src/config.ts';
import { GridbillError } from '../src/errors.ts';

function problem(env: Record<string, string>): GridbillError {
  try {
    loadConfig(env);
  } catch (error) {
    return error as GridbillError;
  }
  throw new Error('expected a configuration error');
}

describe('configuration', () => {
  it('defaults to embedded SQLite and loopback-only servers', () => {
    const config = loadConfig({});
    expect(config.dbUrl).to.equal('sqlite:./data/gridbill.db');
    expect(config.host).to.equal('127.0.0.1');
    expect(config.coreUrl).to.equal('http://127.0.0.1:8100');
    expect(config.gatewayUrl).to.equal('http://127.0.0.1:8200');
    expect(config.demoData).to.equal(true);
  });

  it('takes values from the environment over those of the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gridbill-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ GRIDBILL_CORE_PORT: 9100, GRIDBILL_LOG_LEVEL: 'debug', GRIDBILL_DEMO: false }));
    const config = loadConfig({ GRIDBILL_CONFIG: file, GRIDBILL_CORE_PORT: '9200' });
    expect(config.corePort).to.equal(9200);
    expect(config.logLevel).to.equal('debug');
    expect(config.demoData).to.equal(false);
    expect(config.coreUrl).to.equal('http://127.0.0.1:9200');
  });

  it('reports every bad value at once, naming the variable and what it expects', () => {
    const error = problem({ GRIDBILL_CORE_PORT: '70000', GRIDBILL_LOG_LEVEL: 'loud', GRIDBILL_DEMO: 'maybe', GRIDBILL_DEMO_CUSTOMERS: '1e3' });
    expect(error.code).to.equal('CONFIG_INVALID');
    expect(error.message).to.include('GRIDBILL_CORE_PORT=70000: expected an integer from 0 to 65535');
    expect(error.message).to.include('GRIDBILL_LOG_LEVEL=loud: expected one of error, warn, info, debug');
    expect(error.message).to.include('GRIDBILL_DEMO=maybe: expected true or false');
    expect(error.message).to.include('GRIDBILL_DEMO_CUSTOMERS=1e3');
  });

  it('refuses a config file that is unreadable, not an object, or has unknown keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gridbill-config-'));
    const cases: Array<[string, string, RegExp]> = [
      ['broken.json', '{"GRIDBILL_DB": ', /broken\.json/],
      ['array.json', '[1]', /expected a JSON object/],
      ['typo.json', '{"GRIDBILL_DBB": "x"}', /unknown key GRIDBILL_DBB/],
    ];
    for (const [name, text, pattern] of cases) {
      writeFileSync(join(dir, name), text);
      const error = problem({ GRIDBILL_CONFIG: join(dir, name) });
      expect(error.code, name).to.equal('CONFIG_INVALID');
      expect(error.message, name).to.match(pattern);
    }
    expect(problem({ GRIDBILL_CONFIG: join(dir, 'absent.json') }).code).to.equal('CONFIG_INVALID');
  });

  it('refuses URLs that do not parse', () => {
    expect(problem({ GRIDBILL_CORE_URL: 'not a url' }).message).to.include('GRIDBILL_CORE_URL: not a URL');
  });
});
