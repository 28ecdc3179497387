// The endpoint's own guarantees, with a stand-in port: an unexpected exception is INTERNAL with
// nothing of it on the wire; amounts are read from the wire text exactly.

import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { startHttpServer, type RunningServer } from '../../src/ops/http-server.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { ChannelAuthenticator, CredentialCache } from '../../src/soap/channel-auth.ts';
import { amountFen } from '../../src/soap/channel-payment-port.ts';
import { loadServiceContract } from '../../src/soap/service-contract.ts';
import { soapEndpoint } from '../../src/soap/soap-endpoint.ts';
import { call, faultOf, operation, securityHeader } from './soap-client.ts';

describe('SOAP endpoint', () => {
  it('reads 19.50, 0.10 and 12345678901.23 as exact fen', () => {
    expect(amountFen('19.50', 'amount')).to.equal(1950);
    expect(amountFen('0.10', 'amount')).to.equal(10);
    expect(amountFen('12345678901.23', 'amount')).to.equal(1_234_567_890_123);
    for (const bad of ['1e3', '12.345', 'NaN', '19.5.0', ' ', '+1.00']) expect(() => amountFen(bad, 'amount'), bad).to.throw();
  });

  describe('with a port that fails', () => {
    let server: RunningServer;
    let log = '';
    before(async () => {
      const contract = await loadServiceContract('ChannelPaymentService');
      const credentials = new CredentialCache(async () => new Map([['bank-a', { password: 'pw-pw-pw-pw-pw', operations: new Set(['QueryArrears']) }]]));
      const stream = new PassThrough();
      stream.on('data', (c: Buffer) => { log += c.toString('utf8'); });
      const logger = createLogger({ level: 'info', role: 'core', stream });
      const endpoint = soapEndpoint({
        port: {
          contract,
          operations: {
            QueryArrears(args) {
              // a customer number ending in 9: the database went away under the query (as node-pg reports a failover)
              if (args.one('customerNo').endsWith('9')) throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
              throw new Error('SELECT secret FROM channels at /work/main/src/x.ts:12');
            },
          },
        },
        auth: new ChannelAuthenticator(credentials), logger,
      });
      server = await startHttpServer({ name: 'core', host: '127.0.0.1', port: 0, handler: endpoint, logger });
    });
    after(() => server.stop());

    for (const version of ['1.1', '1.2'] as const) {
      it(`answers an unexpected exception with INTERNAL, no stack, SQL or path (SOAP ${version})`, async () => {
        const reply = await call(server.url, operation('QueryArrears', { customerNo: '3301000000011' }), {
          version, header: securityHeader('bank-a', 'pw-pw-pw-pw-pw'),
        });
        expect(reply.status).to.equal(500);
        const fault = faultOf(reply, version);
        expect(fault.code).to.equal(version === '1.1' ? 'soap:Server' : 'soap:Receiver');
        expect(fault.detailCode).to.equal('INTERNAL');
        expect(fault.string).to.equal('Internal error');
        expect(reply.text).not.to.match(/SELECT|\/work|\.ts|at /);
        expect(log).to.include('soap operation failed');
      });

      it(`answers a database that went away with UNAVAILABLE, a fault worth retrying (SOAP ${version})`, async () => {
        const reply = await call(server.url, operation('QueryArrears', { customerNo: '3301000000019' }), {
          version, header: securityHeader('bank-a', 'pw-pw-pw-pw-pw'),
        });
        expect(reply.status).to.equal(500);
        const fault = faultOf(reply, version);
        expect(fault.code).to.equal(version === '1.1' ? 'soap:Server' : 'soap:Receiver');
        expect(fault.detailCode).to.equal('UNAVAILABLE');
        expect(reply.text).not.to.include('administrator');
        expect(log).to.include('database unavailable');
      });
    }
  });
});
