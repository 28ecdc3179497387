// The authenticate stage's other inputs, in process: the TLS client certificate the connection
// presented (pinned per channel in the policy), the X.509 signature hook, and plain HTTP from a
// caller that is not on loopback.

import { expect } from 'chai';
import type { SignatureInput } from '../../src/gateway/authenticate.ts';
import { operation, securityHeader, soapEnvelope } from '../soap/soap-client.ts';
import { PASSWORD, inProcessGateway, type InProcessGateway } from './gateway-harness.ts';

const FP_A = Array.from({ length: 32 }, () => 'AA').join(':');
const FP_B = Array.from({ length: 32 }, () => 'BB').join(':');
const DSIG = 'http://www.w3.org/2000/09/xmldsig#';

describe('gateway authenticate stage: certificates and signatures', () => {
  let gw: InProcessGateway;
  const seen: SignatureInput[] = [];
  let signatureVerdict: { ok: true } | { ok: false; reason: string } = { ok: true };

  before(async () => {
    gw = await inProcessGateway({
      'bank-a': { certificateFingerprints: [FP_A] },
      'bank-b': { certificateFingerprints: [FP_B], requireClientCertificate: true },
      'bank-s': { requireSignature: true },
    }, {
      verifySignature: (input) => {
        seen.push(input);
        return signatureVerdict;
      },
    });
  });
  after(() => gw.stop());

  const arrears = (user: string, extraSecurity = '') => soapEnvelope('1.1', operation('QueryArrears', { customerNo: '3301000000011' }),
    securityHeader(user, PASSWORD).replace('<wsse:UsernameToken>', `${extraSecurity}<wsse:UsernameToken>`));

  async function verdict(user: string, overrides: Parameters<InProcessGateway['request']>[1] = {}, extra = ''): Promise<string> {
    const answer = await gw.app.pipeline.handle(gw.request(arrears(user, extra), overrides));
    return answer.denial ? `${answer.denial.stage}:${answer.denial.code}:${answer.denial.reason}` : 'forwarded';
  }

  it('accepts a client certificate pinned to the channel, refuses one of another channel or one the CA did not verify', async () => {
    expect(await verdict('bank-a', { tls: true, peerCertificate: { fingerprint256: FP_A.toLowerCase(), authorized: true } })).to.equal('forwarded');
    expect(await verdict('bank-a', { tls: true, peerCertificate: { fingerprint256: FP_B, authorized: true } }))
      .to.equal('authenticate:AUTH_FAILED:client-certificate-other-channel');
    expect(await verdict('bank-a', { tls: true, peerCertificate: { fingerprint256: FP_A, authorized: false } }))
      .to.equal('authenticate:AUTH_FAILED:client-certificate-not-authorized');
    expect(await verdict('bank-a')).to.equal('forwarded');
  });

  it('refuses a channel that must present a certificate when it presents none', async () => {
    expect(await verdict('bank-b')).to.equal('authenticate:AUTH_FAILED:client-certificate-required');
    expect(await verdict('bank-b', { tls: true, peerCertificate: { fingerprint256: FP_B, authorized: true } })).to.equal('forwarded');
  });

  it('hands a signed request to the signature hook with the channel and the bytes, and follows its verdict', async () => {
    const signature = `<ds:Signature xmlns:ds="${DSIG}"><ds:SignedInfo/></ds:Signature>`;
    seen.length = 0;
    signatureVerdict = { ok: true };
    expect(await verdict('bank-s', {}, signature)).to.equal('forwarded');
    expect(seen).to.have.length(1);
    expect(seen[0]!.channel.code).to.equal('bank-s');
    expect(seen[0]!.body.toString()).to.contain('<ds:Signature');
    expect(seen[0]!.security.local).to.equal('Security');
    signatureVerdict = { ok: false, reason: 'wrapped' };
    expect(await verdict('bank-s', {}, signature)).to.equal('authenticate:AUTH_FAILED:signature-wrapped');
    expect(await verdict('bank-s')).to.equal('authenticate:AUTH_FAILED:signature-required');
    expect(gw.forwarded.every((r) => !r.body.includes('Signature'))).to.equal(true);
  });

  it('answers plain HTTP from a caller not on loopback with 403 TLS_REQUIRED, before anything is read', async () => {
    const answer = await gw.app.pipeline.handle(gw.request(arrears('bank-a'), { remoteAddress: '10.1.2.3' }));
    expect([answer.status, answer.denial?.code, answer.denial?.stage]).to.deep.equal([403, 'TLS_REQUIRED', 'transport']);
    expect(answer.body).to.match(/^TLS_REQUIRED: /);
    expect((await gw.app.pipeline.handle(gw.request(arrears('bank-a'), { remoteAddress: '::ffff:127.0.0.1' }))).denial).to.equal(undefined);
  });
});
