import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICES, type ServiceName } from '../../src/contract/operations.ts';
import { loadServiceContract, type MessageContract, type ServiceContract } from '../../src/contract/service-contract.ts';
import { parseXml, type XmlElement } from '../../src/contract/xml.ts';
import { instance, minimal, rich, seeded } from './instances.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const samplesDir = path.join(repoRoot, 'fixtures', 'soap');
const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];
const SLUGS: Readonly<Record<ServiceName, string>> = {
  ChannelPaymentService: 'channel-payment', CustomerService: 'customer', BillingAdminService: 'billing-admin',
  OperationsService: 'operations', BankGatewayService: 'bank-gateway', MeterControlService: 'meter-control',
};

const contracts = new Map<ServiceName, ServiceContract>(SERVICE_NAMES.map((s) => [s, loadServiceContract(s)]));
const contractOf = (service: ServiceName): ServiceContract => contracts.get(service)!;

/** The message element of a SOAP sample: the Body's child, or the fault detail's GridbillFault. */
function messageOf(file: string): XmlElement {
  const envelope = parseXml(readFileSync(file, 'utf8'));
  const body = envelope.children.find((c) => c.local === 'Body')!;
  const [first] = body.children;
  if (first?.local !== 'Fault') return first!;
  const detail = first.children.find((c) => c.local === 'detail' || c.local === 'Detail')!;
  return detail.children[0]!;
}

function messageContractOf(contract: ServiceContract, node: XmlElement): MessageContract | undefined {
  const request = contract.operationOfRequest(node);
  if (request) return request.request;
  const response = contract.operationOfResponse(node);
  if (response) return response.response;
  return [...contract.operations.values()][0]?.faults.get('GridbillFault');
}

function samplesOf(service: string, sub = ''): string[] {
  const dir = path.join(samplesDir, service, sub);
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.xml')).sort().map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}

describe('contract: services compiled from wsdl/', () => {
  for (const service of SERVICE_NAMES) {
    it(`${service}: the operations of DESIGN.md, each with its request and response element and soapAction`, () => {
      const contract = contractOf(service);
      expect([...contract.operations.keys()]).to.deep.equal([...SERVICES[service]]);
      expect(contract.namespace).to.equal(`urn:gridbill:${SLUGS[service]}:v1`);
      expect(contract.soapVersions).to.deep.equal(['1.1', '1.2']);
      for (const op of contract.operations.values()) {
        expect(op.soapAction).to.equal(`urn:gridbill:${SLUGS[service]}:v1#${op.name}`);
        expect(op.request.name).to.equal(op.name);
        expect(op.response.name).to.equal(`${op.name}Response`);
        expect(op.request.namespace).to.equal(contract.namespace);
        expect(contract.operationOfRequest({ uri: contract.namespace, local: op.name })).to.equal(op);
        expect(contract.operationOfResponse({ uri: contract.namespace, local: `${op.name}Response` })).to.equal(op);
        expect(contract.operationOfSoapAction(op.soapAction)).to.equal(op);
        expect(op.faults.get('GridbillFault')?.namespace).to.equal('urn:gridbill:types:v1');
      }
    });
  }

  it('finds no operation for an element in another namespace, a response name as request, or an unknown action', () => {
    const contract = contractOf('ChannelPaymentService');
    expect(contract.operationOfRequest({ uri: 'urn:gridbill:channel-payment:v2', local: 'Pay' })).to.equal(undefined);
    expect(contract.operationOfRequest({ uri: contract.namespace, local: 'PayResponse' })).to.equal(undefined);
    expect(contract.operationOfRequest({ uri: contract.namespace, local: '__proto__' })).to.equal(undefined);
    expect(contract.operationOfSoapAction('urn:gridbill:channel-payment:v1#pay')).to.equal(undefined);
    expect(contract.operationOfSoapAction('')).to.equal(undefined);
  });
});

describe('contract: sample messages of fixtures/soap', () => {
  for (const service of SERVICE_NAMES) {
    const valid = samplesOf(service);
    if (valid.length === 0) continue;
    it(`${service}: every sample validates, and its canonical form validates to the same values`, () => {
      const contract = contractOf(service);
      for (const file of valid) {
        const node = messageOf(file);
        const message = messageContractOf(contract, node);
        expect(message, file).to.not.equal(undefined);
        const result = message!.validate(node);
        expect(result.ok, `${file}: ${JSON.stringify(result.ok ? [] : result.violations)}`).to.equal(true);
        if (!result.ok) continue;
        const again = message!.validate(parseXml(message!.write(result.value)));
        expect(again).to.deep.equal(result);
      }
    });
  }

  /** Each invalid sample of ChannelPaymentService and the violation it must be refused with. */
  const INVALID: Readonly<Record<string, { path: string; reason: RegExp } | 'no operation'>> = {
    'Pay.bad-date.request.xml': { path: '/Pay/accountingDate', reason: /not a valid date/ },
    'Pay.customer-no-fullwidth-digits.request.xml': { path: '/Pay/customerNo', reason: /pattern \(CustomerNo\)/ },
    'Pay.customer-no-letters.request.xml': { path: '/Pay/customerNo', reason: /pattern \(CustomerNo\)/ },
    'Pay.customer-no-short.request.xml': { path: '/Pay/customerNo', reason: /pattern \(CustomerNo\)/ },
    'Pay.fault-unknown-code.response.xml': { path: '/GridbillFault/code', reason: /not one of the allowed values \(ErrorCode\)/ },
    'Pay.missing-accounting-date.request.xml': { path: '/Pay/accountingDate', reason: /^missing$/ },
    'Pay.money-exponent.request.xml': { path: '/Pay/amount', reason: /not a valid decimal/ },
    'Pay.money-three-decimals.request.xml': { path: '/Pay/amount', reason: /more than 2 fraction digits/ },
    'Pay.money-zero.request.xml': { path: '/Pay/amount', reason: /below the minimum 0\.01/ },
    'Pay.timestamp-without-offset.response.xml': { path: '/PayResponse/postedAt', reason: /pattern \(Timestamp\)/ },
    'Pay.txn-id-injection.request.xml': { path: '/Pay/channelTxnId', reason: /pattern \(ChannelTxnId\)/ },
    'Pay.unknown-element.request.xml': { path: '/Pay/comment', reason: /unexpected element comment/ },
    'Pay.wrong-namespace.request.xml': 'no operation',
    'Pay.wrong-order.request.xml': { path: '/Pay/amount', reason: /out of order/ },
    'QueryArrears.bad-period.response.xml': { path: '/QueryArrearsResponse/receivable[1]/period', reason: /pattern \(Period\)/ },
    'SignWithholding.bad-account.request.xml': { path: '/SignWithholding/bankAccount', reason: /pattern \(BankAccount\)/ },
  };

  it('ChannelPaymentService: every invalid sample is refused for its reason', () => {
    const contract = contractOf('ChannelPaymentService');
    const files = samplesOf('ChannelPaymentService', 'invalid');
    expect(files.map((f) => path.basename(f))).to.deep.equal(Object.keys(INVALID).sort());
    for (const file of files) {
      const expected = INVALID[path.basename(file)]!;
      const node = messageOf(file);
      if (expected === 'no operation') {
        expect(contract.operationOfRequest(node), file).to.equal(undefined);
        expect(contract.operations.get('Pay')!.request.validate(node).ok).to.equal(false);
        continue;
      }
      const result = messageContractOf(contract, node)!.validate(node);
      expect(result.ok, file).to.equal(false);
      if (result.ok) continue;
      expect(result.violations.some((v) => v.path === expected.path && expected.reason.test(v.reason)), `${file}: ${JSON.stringify(result.violations)}`)
        .to.equal(true);
    }
  });
});

describe('contract: instances built from the schema itself', () => {
  for (const service of SERVICE_NAMES) {
    it(`${service}: a minimal and a rich instance of every request, response and fault validate and round-trip`, () => {
      const rnd = seeded(7);
      for (const op of contractOf(service).operations.values()) {
        for (const message of [op.request, op.response, ...op.faults.values()]) {
          for (const occurrences of [minimal, rich]) {
            const node = instance(message.decl, rnd, occurrences);
            const result = message.validate(node);
            expect(result.ok, `${op.name} ${message.name}: ${JSON.stringify(result.ok ? [] : result.violations)}`).to.equal(true);
            if (!result.ok) continue;
            expect(message.validate(parseXml(message.write(result.value)))).to.deep.equal(result);
          }
        }
      }
    });
  }
});
