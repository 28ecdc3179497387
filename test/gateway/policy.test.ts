// The policy file: every problem reported at once with its JSON path, defaults from src/limits.ts,
// secrets that must open with the gateway key.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { GridbillError } from '../../src/errors.ts';
import { readPolicyFile } from '../../src/gateway/gateway-app.ts';
import { POLICY_FORMAT, parsePolicy, yuanToFen } from '../../src/gateway/policy.ts';
import { LIMITS } from '../../src/limits.ts';
import { secretBox } from '../../src/ops/secret-box.ts';
import { policyText } from './gateway-harness.ts';

const box = secretBox(randomBytes(32));
const open = (sealed: string) => box.open(sealed);

describe('gateway policy', () => {
  it('reads channels with every default from src/limits.ts', () => {
    const reading = parsePolicy(policyText(box, { 'bank-a': { password: 'pw-a-123456' } }), open);
    expect(reading.ok).to.equal(true);
    if (!reading.ok) return;
    const channel = reading.policy.channels.get('bank-a')!;
    expect(channel.secret).to.equal('pw-a-123456');
    expect(channel.rate).to.deep.equal({ perSecond: LIMITS.gatewayChannelRatePerSecond, burst: LIMITS.gatewayChannelBurstMax });
    expect(channel.customerRate.burst).to.equal(LIMITS.gatewayCustomerBurstMax);
    expect([channel.txnAmountMaxFen, channel.dailyAmountMaxFen]).to.deep.equal([LIMITS.gatewayTxnAmountMaxFen, LIMITS.gatewayDailyAmountMaxFen]);
    expect([channel.businessHours, channel.txnIdPrefix, channel.requireSignature]).to.deep.equal([null, null, false]);
    expect([...reading.policy.zones.get('banks')!]).to.deep.equal(['ChannelPaymentService']);
  });

  it('reads limits, hours, prefixes and fingerprints a channel sets', () => {
    const fingerprint = Array.from({ length: 32 }, () => 'ab').join(':');
    const reading = parsePolicy(policyText(box, {
      'bank-b': {
        ratePerSecond: 5, burst: 10, customerRatePerMinute: 6, customerBurst: 2, businessHours: '08:30-17:00',
        txnAmountMax: '5000.00', dailyAmountMax: '20000', txnIdPrefix: 'BB', certificateFingerprints: [fingerprint], requireClientCertificate: true,
      },
    }), open);
    if (!reading.ok) throw new Error(reading.problems.join('\n'));
    const channel = reading.policy.channels.get('bank-b')!;
    expect(channel.rate).to.deep.equal({ perSecond: 5, burst: 10 });
    expect(channel.customerRate).to.deep.equal({ perSecond: 0.1, burst: 2 });
    expect(channel.businessHours).to.deep.equal({ fromMinute: 510, toMinute: 1020 });
    expect([channel.txnAmountMaxFen, channel.dailyAmountMaxFen, channel.txnIdPrefix]).to.deep.equal([500_000, 2_000_000, 'BB']);
    expect(reading.policy.byFingerprint.get(fingerprint.toUpperCase())).to.equal('bank-b');
  });

  it('reports every problem of a file at once, each with its path', () => {
    const other = secretBox(randomBytes(32));
    const doc = JSON.parse(policyText(box, {
      'Bad Code': {},
      'bank-c': { zone: 'nowhere', operations: ['Pay'] },
      'bank-d': { operations: ['CreateCustomer', 'Login'], ratePerSecond: 0, businessHours: '18:00-08:00', txnAmountMax: '1e3', color: 'red' },
    })) as { channels: Record<string, Record<string, unknown>>; [key: string]: unknown };
    doc.channels['bank-e'] = { zone: 'banks', operations: ['Pay'], secret: other.seal('x') };
    doc.zones = { banks: ['ChannelPaymentService'], web: ['CustomerService'], inside: ['BillingAdminService'] };
    doc.extra = true;
    const reading = parsePolicy(JSON.stringify(doc), open);
    expect(reading.ok).to.equal(false);
    if (reading.ok) return;
    const text = reading.problems.join('\n');
    for (const expected of [
      '$.extra: unknown key', '$.zones.inside: "BillingAdminService" is not an external service', '$.channels.Bad Code: a channel code',
      '$.channels.bank-c.zone: expected one of the zones', '$.channels.bank-d.operations: "CreateCustomer" is not an operation',
      '$.channels.bank-d.operations: "Login" is not an operation', '$.channels.bank-d.ratePerSecond', '$.channels.bank-d.businessHours',
      '$.channels.bank-d.txnAmountMax', '$.channels.bank-d.color: unknown key', '$.channels.bank-e.secret: cannot be opened with this gateway key',
    ]) expect(text).to.contain(expected);
  });

  it('refuses a file that is not JSON, of another format or missing, naming the file (CONFIG_INVALID)', () => {
    expect(parsePolicy('{', open)).to.have.property('ok', false);
    expect(parsePolicy(JSON.stringify({ format: 'other', zones: {}, channels: {} }), open)).to.deep.include({ ok: false });
    const dir = mkdtempSync(join(tmpdir(), 'gridbill-policy-'));
    const file = join(dir, 'policy.json');
    writeFileSync(file, JSON.stringify({ format: POLICY_FORMAT, zones: {}, channels: { x: 1 } }));
    expect(() => readPolicyFile(file, open)).to.throw(GridbillError, /gateway policy .*policy.*\$\.channels\.x/);
    expect(() => readPolicyFile(`${file}.missing`, open)).to.throw(GridbillError, /Configuration is invalid/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads yuan exactly', () => {
    expect(['0.01', '5000', '5000.5', '999999999.99', '1.234', '1e3', '-1', '01'].map(yuanToFen))
      .to.deep.equal([1, 500_000, 500_050, 99_999_999_999, undefined, undefined, undefined, undefined]);
  });
});
