// OperationsService.GetChannelStatus over HTTP: every call a channel makes through any service is
// counted (and its failures), and answered with the stored counts plus this core's unwritten ones.

import { expect } from 'chai';
import { addChannel, setChannelEnabled } from '../../src/usecases/manage-channels.ts';
import { startTestCore, type TestCore } from '../support/test-core.ts';
import { bodyOf, call, faultOf, fieldsOf, operation, securityHeader, type Version } from './soap-client.ts';
import { childrenOf, type XmlNode } from '../wsdl/xml-tree.ts';

const OPS = 'urn:gridbill:operations:v1';
const PASSWORD = 'operations console 1';
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+08:00$/;

describe('OperationsService.GetChannelStatus over HTTP', function () {
  this.timeout(30_000);
  let core: TestCore;

  before(async () => {
    core = await startTestCore(async (store, box) => {
      const now = new Date().toISOString();
      await addChannel(store, box, { code: 'ops', name: '运维<监控>', kind: 'internal', password: PASSWORD, operations: ['GetChannelStatus', 'ListAlerts'] }, 'test', now);
      await addChannel(store, box, { code: 'bank-a', name: 'Bank A', kind: 'bank', password: PASSWORD, operations: ['QueryArrears'] }, 'test', now);
      await addChannel(store, box, { code: 'bank-off', name: 'Bank Off', kind: 'bank', password: PASSWORD, operations: ['QueryArrears'] }, 'test', now);
      await setChannelEnabled(store, 'bank-off', false, 'test', now);
    });
  });

  after(async () => core?.stop());

  const status = async (version: Version, channelCode?: string) => {
    const body = `<o:GetChannelStatus xmlns:o="${OPS}">${channelCode === undefined ? '' : `<o:channelCode>${channelCode}</o:channelCode>`}</o:GetChannelStatus>`;
    return call(core.endpoint('OperationsService'), body, { version, header: securityHeader('ops', PASSWORD) });
  };
  const byCode = (answer: XmlNode) => new Map(childrenOf(answer, OPS, 'channel').map((c) => [fieldsOf(c)[0]![1], Object.fromEntries(fieldsOf(c))]));

  for (const version of ['1.1', '1.2'] as const) {
    it(`SOAP ${version}: counts every channel's calls and failures of today, with when it was last seen`, async () => {
      const arrears = (password: string) => call(core.endpoint('ChannelPaymentService'), operation('QueryArrears', { customerNo: '3300000009999' }), {
        version, header: securityHeader('bank-a', password),
      });
      const before = byCode(bodyOf(await status(version), version));
      await arrears(PASSWORD); // CUSTOMER_NOT_FOUND: a failure
      await arrears('wrong password 12'); // AUTH_FAILED under bank-a's name: a failure
      const reply = await status(version);
      expect(reply.status, reply.text).to.equal(200);
      const answer = bodyOf(reply, version);
      expect(answer.local).to.equal('GetChannelStatusResponse');
      const since = fieldsOf(answer)[0]!;
      expect(since[0]).to.equal('since');
      expect(since[1]).to.match(/T00:00:00\.000\+08:00$/);
      const channels = byCode(answer);
      expect([...channels.keys()]).to.deep.equal(['bank-a', 'bank-off', 'ops']);
      const bank = channels.get('bank-a')!;
      expect(Number(bank.calls) - Number(before.get('bank-a')?.calls ?? 0)).to.equal(2);
      expect(Number(bank.failures) - Number(before.get('bank-a')?.failures ?? 0)).to.equal(2);
      expect(bank.lastSeen).to.match(TIMESTAMP);
      expect(Object.keys(bank)).to.deep.equal(['channelCode', 'name', 'enabled', 'calls', 'failures', 'lastSeen']);
      expect(channels.get('bank-off')).to.deep.include({ enabled: 'false', calls: '0', failures: '0' });
      expect(channels.get('bank-off')!.lastSeen).to.equal(undefined);
      expect(channels.get('ops')!.name).to.equal('运维 监控 '); // no markup goes out
      expect(Number(channels.get('ops')!.calls)).to.be.greaterThan(0);
    });
  }

  it('answers one channel when asked, and NOT_FOUND for a code that is not registered', async () => {
    const one = bodyOf(await status('1.1', 'bank-off'), '1.1');
    expect([...byCode(one).keys()]).to.deep.equal(['bank-off']);
    const unknown = await status('1.1', 'nobody');
    expect(faultOf(unknown, '1.1')).to.include({ detailCode: 'NOT_FOUND' });
    const malformed = await status('1.1', 'no spaces allowed');
    expect(faultOf(malformed, '1.1')).to.include({ detailCode: 'VALIDATION_FAILED' });
  });

  it('answers UNAVAILABLE for the operations of a later version', async () => {
    const reply = await call(core.endpoint('OperationsService'), `<o:ListAlerts xmlns:o="${OPS}"><o:pageSize>10</o:pageSize></o:ListAlerts>`, {
      header: securityHeader('ops', PASSWORD),
    });
    expect(faultOf(reply, '1.1')).to.include({ code: 'soap:Server', detailCode: 'UNAVAILABLE' });
  });
});
