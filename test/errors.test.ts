import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { ERRORS, GridbillError, isErrorCode } from '../src/errors.ts';
import { LIMITS, LIMIT_REASONS } from '../src/limits.ts';
import { SETTINGS } from '../src/config.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

function tableRows(prefix: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of readme.split('\n')) {
    const m = /^\| `([A-Za-z_0-9]+)` \|(.*)\|$/.exec(line);
    if (m && m[1]!.startsWith(prefix)) rows.set(m[1]!, m[2]!.split('|').map((c) => c.trim()));
  }
  return rows;
}

describe('error catalogue', () => {
  it('documents every code in the README with its fault side and HTTP status', () => {
    const rows = tableRows('');
    for (const [code, spec] of Object.entries(ERRORS)) {
      const row = rows.get(code);
      expect(row, `README row for ${code}`).to.not.equal(undefined);
      expect(row![0], `${code} fault`).to.equal(spec.fault);
      expect(row![1], `${code} status`).to.equal(String(spec.httpStatus));
      expect(row![2], `${code} message`).to.equal(spec.message);
    }
  });

  it('has no README error row for a code that does not exist', () => {
    const errorSection = readme.split('## Error codes')[1]!.split('\n## ')[0]!;
    const documented = [...errorSection.matchAll(/^\| `([A-Z_0-9]+)` \|/gm)].map((m) => m[1]!);
    expect(documented.length).to.equal(Object.keys(ERRORS).length);
    for (const code of documented) expect(isErrorCode(code), code).to.equal(true);
  });

  it('uses upper-case codes and HTTP statuses that are errors', () => {
    for (const [code, spec] of Object.entries(ERRORS)) {
      expect(code).to.match(/^[A-Z][A-Z0-9_]+$/);
      expect(spec.httpStatus).to.be.within(400, 599);
    }
  });

  it('carries the code, the detail and the fix on a GridbillError', () => {
    const error = new GridbillError('DB_UNREACHABLE', 'postgres://x', { hint: 'start it' });
    expect(error.code).to.equal('DB_UNREACHABLE');
    expect(error.message).to.equal('The database cannot be reached: postgres://x');
    expect(error.hint).to.equal('start it');
    expect(error.spec.fault).to.equal('Server');
  });
});

describe('limits', () => {
  it('gives every limit a positive integer value and a reason, and documents it in the README', () => {
    for (const [name, value] of Object.entries(LIMITS)) {
      expect(Number.isSafeInteger(value) && value > 0, name).to.equal(true);
      expect(LIMIT_REASONS[name as keyof typeof LIMITS], name).to.have.length.greaterThan(10);
      expect(readme, name).to.include(`| \`${name}\` | ${value} |`);
    }
  });
});

describe('configuration settings', () => {
  it('documents every environment variable in the README', () => {
    for (const setting of SETTINGS) expect(readme, setting.env).to.include(`| \`${setting.env}\` |`);
  });
});
