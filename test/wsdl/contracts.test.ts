// The published contracts (wsdl/): their shape, their bounds, the fault catalogue, and what two
// independent tools say of them when served over HTTP the way the core serves them —
// wsdl-lint (xmllint schema compilation + WS-I Basic Profile checks, and validation of the
// sample messages in fixtures/soap/) and gsoap-check (gSOAP's wsdl2h + soapcpp2 + g++).
//
// The tools live in ../shared/interop beside the repository. Without them (or their Debian
// packages) those tests are skipped with the list of packages to install — except under CI,
// where a missing tool is a failure.

import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERRORS } from '../../src/errors.ts';
import {
  NS, attr, childOf, childrenOf, descendants, is, parseXml, pathOf, qnameAttr, resolveQName, sameQName,
  type XmlNode,
} from './xml-tree.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const wsdlDir = path.join(repoRoot, 'wsdl');
const samplesDir = path.join(repoRoot, 'fixtures', 'soap');
const interopDir = path.resolve(repoRoot, '..', 'shared', 'interop');
const designFile = path.resolve(repoRoot, '..', 'shared', 'DESIGN.md');

/** DESIGN.md's services table (fixed names) and the namespace slug of each service. */
const SERVICES: Readonly<Record<string, { readonly slug: string; readonly operations: readonly string[] }>> = {
  ChannelPaymentService: {
    slug: 'channel-payment',
    operations: ['QueryArrears', 'Pay', 'Reverse', 'QueryTransaction', 'Reconcile', 'SignWithholding', 'CancelWithholding'],
  },
  CustomerService: {
    slug: 'customer',
    operations: ['RequestLoginCode', 'Login', 'Logout', 'GetProfile', 'UpdateProfile', 'QueryConsumption', 'QueryBills',
      'EstimateFee', 'PayOnline'],
  },
  BillingAdminService: {
    slug: 'billing-admin',
    operations: ['CreateCustomer', 'UpdateCustomer', 'InstallMeter', 'ReplaceMeter', 'SubmitReadings', 'PublishTariff',
      'RunBilling', 'GetBillRun', 'ListExceptions', 'ResolveException', 'IssueBills', 'GetBill', 'OpenOnlineBanking',
      'RunEstimation', 'ListControlCommands'],
  },
  OperationsService: {
    slug: 'operations',
    operations: ['GetChannelStatus', 'GetChannelAssessment', 'GetTerminalStatus', 'ListAlerts'],
  },
  BankGatewayService: { slug: 'bank-gateway', operations: ['CheckBalance', 'Debit', 'ReverseDebit'] },
  MeterControlService: { slug: 'meter-control', operations: ['Disconnect', 'Reconnect', 'GetSwitchState'] },
};
const SERVICE_NAMES = Object.keys(SERVICES);

// Built-in XML Schema types, by what they need before an element may use them.
const STRING_BUILTINS = new Set(['string', 'normalizedString', 'token', 'language', 'Name', 'NCName', 'NMTOKEN',
  'NMTOKENS', 'ID', 'IDREF', 'IDREFS', 'ENTITY', 'ENTITIES', 'anyURI', 'QName', 'NOTATION', 'base64Binary', 'hexBinary']);
const UNBOUNDED_NUMERIC_BUILTINS = new Set(['decimal', 'integer', 'nonNegativeInteger', 'positiveInteger',
  'nonPositiveInteger', 'negativeInteger', 'float', 'double']);
/** Usable directly on an element: bounded by their own lexical space. */
const DIRECT_BUILTINS = new Set(['boolean', 'int', 'long', 'short', 'byte', 'unsignedInt', 'unsignedLong',
  'unsignedShort', 'unsignedByte']);

interface Contract {
  readonly service: string;
  readonly tns: string;
  readonly root: XmlNode;
}

function loadContracts(): { readonly common: XmlNode; readonly contracts: readonly Contract[] } {
  const common = parseXml(readFileSync(path.join(wsdlDir, 'common.xsd'), 'utf8'), 'common.xsd');
  const contracts = SERVICE_NAMES.map((service) => {
    const root = parseXml(readFileSync(path.join(wsdlDir, `${service}.wsdl`), 'utf8'), `${service}.wsdl`);
    return { service, tns: `urn:gridbill:${SERVICES[service]!.slug}:v1`, root };
  });
  return { common, contracts };
}

function allSchemas(common: XmlNode, contracts: readonly Contract[]): XmlNode[] {
  const embedded = contracts.flatMap((c) => childrenOf(c.root, NS.wsdl, 'types').flatMap((t) => childrenOf(t, NS.xsd, 'schema')));
  return [common, ...embedded];
}

function named(parent: XmlNode, uri: string, local: string, name: string): XmlNode | undefined {
  return childrenOf(parent, uri, local).find((n) => attr(n, 'name') === name);
}

// ------------------------------------------------------------------ schema bounds

interface TypeIndex {
  readonly simple: ReadonlyMap<string, XmlNode>;
  readonly complex: ReadonlyMap<string, XmlNode>;
}

const key = (uri: string, local: string): string => `{${uri}}${local}`;

function indexTypes(schemas: readonly XmlNode[]): TypeIndex {
  const simple = new Map<string, XmlNode>();
  const complex = new Map<string, XmlNode>();
  for (const schema of schemas) {
    const tns = attr(schema, 'targetNamespace') ?? '';
    for (const n of childrenOf(schema, NS.xsd, 'simpleType')) simple.set(key(tns, attr(n, 'name') ?? ''), n);
    for (const n of childrenOf(schema, NS.xsd, 'complexType')) complex.set(key(tns, attr(n, 'name') ?? ''), n);
  }
  return { simple, complex };
}

interface Facets {
  /** The XML Schema built-in at the root of the derivation chain. */
  readonly builtin: string;
  readonly facets: ReadonlySet<string>;
}

/** The built-in a simple type derives from and every facet along the way; throws on list/union. */
function facetsOf(simpleType: XmlNode, index: TypeIndex): Facets {
  const restriction = childOf(simpleType, NS.xsd, 'restriction');
  if (!restriction) throw new Error(`${pathOf(simpleType)}: only restrictions are allowed (no list or union)`);
  const own = new Set(restriction.children.filter((c) => c.uri === NS.xsd).map((c) => c.local));
  const base = qnameAttr(restriction, 'base');
  if (!base) throw new Error(`${pathOf(restriction)}: no base`);
  if (base.uri === NS.xsd) return { builtin: base.local, facets: own };
  const parent = index.simple.get(key(base.uri, base.local));
  if (!parent) throw new Error(`${pathOf(restriction)}: unknown base type ${base.local}`);
  const inherited = facetsOf(parent, index);
  return { builtin: inherited.builtin, facets: new Set([...inherited.facets, ...own]) };
}

/** What is wrong with a simple type's bounds, or undefined. */
function simpleTypeProblem(simpleType: XmlNode, index: TypeIndex): string | undefined {
  const { builtin, facets } = facetsOf(simpleType, index);
  const has = (...names: string[]): boolean => names.some((n) => facets.has(n));
  if (STRING_BUILTINS.has(builtin) && !has('enumeration') && !has('maxLength', 'length')) {
    return `string type without maxLength/length or enumeration`;
  }
  if (STRING_BUILTINS.has(builtin) && !has('enumeration', 'pattern', 'maxLength', 'length')) {
    return `string type without any bound`;
  }
  if (UNBOUNDED_NUMERIC_BUILTINS.has(builtin) && !has('totalDigits', 'maxInclusive', 'maxExclusive')) {
    return `${builtin} type without totalDigits or an upper bound`;
  }
  if ((builtin === 'dateTime' || builtin === 'date') && !has('pattern')) {
    return `${builtin} type without a pattern (time-zone rule)`;
  }
  return undefined;
}

/** What is wrong with the type an element declaration uses, or undefined. */
function elementTypeProblem(element: XmlNode, index: TypeIndex): string | undefined {
  if (attr(element, 'ref') !== undefined) return undefined;
  const type = qnameAttr(element, 'type');
  if (!type) {
    const inline = childOf(element, NS.xsd, 'simpleType') ?? childOf(element, NS.xsd, 'complexType');
    return inline ? undefined : 'no type (xsd:anyType)';
  }
  if (type.uri === NS.xsd) {
    return DIRECT_BUILTINS.has(type.local) ? undefined : `uses xsd:${type.local} directly (use a bounded type from common.xsd)`;
  }
  const k = key(type.uri, type.local);
  return index.simple.has(k) || index.complex.has(k) ? undefined : `unknown type ${type.local}`;
}

function boundProblems(schemas: readonly XmlNode[]): string[] {
  const index = indexTypes(schemas);
  const problems: string[] = [];
  for (const node of schemas.flatMap((s) => [s, ...descendants(s)])) {
    if (node.uri !== NS.xsd) continue;
    const where = pathOf(node);
    if (node.local === 'any' || node.local === 'anyAttribute') problems.push(`${where}: xsd:${node.local} is not allowed`);
    if (node.local === 'simpleType') {
      const problem = simpleTypeProblem(node, index);
      if (problem) problems.push(`${where}: ${problem}`);
    }
    if (node.local === 'element' || node.local === 'attribute') {
      const problem = elementTypeProblem(node, index);
      if (problem) problems.push(`${where}: ${problem}`);
    }
    const maxOccurs = attr(node, 'maxOccurs');
    if (maxOccurs !== undefined && !/^[0-9]+$/.test(maxOccurs)) problems.push(`${where}: maxOccurs="${maxOccurs}" is not finite`);
  }
  return problems;
}

function errorCodeEnumeration(common: XmlNode): string[] {
  const errorCode = named(common, NS.xsd, 'simpleType', 'ErrorCode');
  const restriction = errorCode && childOf(errorCode, NS.xsd, 'restriction');
  if (!restriction) throw new Error('common.xsd has no ErrorCode restriction');
  return childrenOf(restriction, NS.xsd, 'enumeration').map((e) => attr(e, 'value') ?? '');
}

// ------------------------------------------------------------------ WSDL shape

function messagePartElement(contract: Contract, messageRef: string | undefined, at: XmlNode): string {
  if (messageRef === undefined) return '(no message)';
  const ref = resolveQName(at, messageRef);
  const message = ref.uri === contract.tns ? named(contract.root, NS.wsdl, 'message', ref.local) : undefined;
  const parts = message ? childrenOf(message, NS.wsdl, 'part') : [];
  const element = parts.length === 1 ? qnameAttr(parts[0]!, 'element') : undefined;
  return element ? key(element.uri, element.local) : `(message ${messageRef} must have one element part)`;
}

/** Every problem with one service's WSDL against the conventions of wsdl/README.md. */
function contractProblems(contract: Contract): string[] {
  const { service, tns, root } = contract;
  const operations = SERVICES[service]!.operations;
  const problems: string[] = [];
  const check = (ok: boolean, message: string): void => {
    if (!ok) problems.push(`${service}: ${message}`);
  };
  check(is(root, NS.wsdl, 'definitions'), 'document element is not wsdl:definitions');
  check(attr(root, 'targetNamespace') === tns, `targetNamespace is not ${tns}`);
  const schema = childOf(root, NS.wsdl, 'types') && childOf(childOf(root, NS.wsdl, 'types')!, NS.xsd, 'schema');
  check(schema !== undefined && attr(schema, 'targetNamespace') === tns, 'embedded schema is not in the service namespace');
  check(schema !== undefined && attr(schema, 'elementFormDefault') === 'qualified', 'embedded schema is not elementFormDefault="qualified"');
  const imports = schema ? childrenOf(schema, NS.xsd, 'import') : [];
  check(imports.some((i) => attr(i, 'namespace') === NS.types && attr(i, 'schemaLocation') === 'common.xsd'),
    'embedded schema does not import urn:gridbill:types:v1 from schemaLocation="common.xsd"');

  const portTypes = childrenOf(root, NS.wsdl, 'portType');
  check(portTypes.length === 1 && attr(portTypes[0]!, 'name') === `${service}PortType`, `one portType named ${service}PortType`);
  const portType = portTypes[0];
  const ptOps = portType ? childrenOf(portType, NS.wsdl, 'operation') : [];
  check(JSON.stringify(ptOps.map((o) => attr(o, 'name'))) === JSON.stringify(operations),
    `portType operations ${JSON.stringify(ptOps.map((o) => attr(o, 'name')))} are not DESIGN.md's ${JSON.stringify(operations)}`);
  for (const op of ptOps) {
    const name = attr(op, 'name') ?? '';
    const input = childOf(op, NS.wsdl, 'input');
    const output = childOf(op, NS.wsdl, 'output');
    check(messagePartElement(contract, input && attr(input, 'message'), input ?? op) === key(tns, name),
      `${name}: input is not the wrapper element tns:${name}`);
    check(messagePartElement(contract, output && attr(output, 'message'), output ?? op) === key(tns, `${name}Response`),
      `${name}: output is not the wrapper element tns:${name}Response`);
    const faults = childrenOf(op, NS.wsdl, 'fault');
    check(faults.length === 1 && attr(faults[0]!, 'name') === 'GridbillFault'
      && messagePartElement(contract, attr(faults[0]!, 'message'), faults[0]!) === key(NS.types, 'GridbillFault'),
    `${name}: the only wsdl:fault must be GridbillFault with element t:GridbillFault`);
    if (schema) check(named(schema, NS.xsd, 'element', name) !== undefined && named(schema, NS.xsd, 'element', `${name}Response`) !== undefined,
      `${name}: wrapper elements ${name} and ${name}Response are not declared`);
  }
  problems.push(...bindingProblems(contract));
  return problems;
}

function bindingProblems(contract: Contract): string[] {
  const { service, tns, root } = contract;
  const operations = SERVICES[service]!.operations;
  const problems: string[] = [];
  const check = (ok: boolean, message: string): void => {
    if (!ok) problems.push(`${service}: ${message}`);
  };
  const versions = [
    { label: 'SOAP 1.1', ns: NS.soap11, binding: `${service}Soap11Binding`, port: `${service}Soap11Port` },
    { label: 'SOAP 1.2', ns: NS.soap12, binding: `${service}Soap12Binding`, port: `${service}Soap12Port` },
  ];
  check(childrenOf(root, NS.wsdl, 'binding').length === 2, 'exactly two bindings (SOAP 1.1 and SOAP 1.2)');
  for (const v of versions) {
    const binding = named(root, NS.wsdl, 'binding', v.binding);
    check(binding !== undefined, `no ${v.label} binding named ${v.binding}`);
    if (!binding) continue;
    check(sameQName(qnameAttr(binding, 'type'), { uri: tns, local: `${service}PortType` }), `${v.binding}: type is not the portType`);
    const soapBinding = childOf(binding, v.ns, 'binding');
    check(soapBinding !== undefined && attr(soapBinding, 'style') === 'document'
      && attr(soapBinding, 'transport') === 'http://schemas.xmlsoap.org/soap/http', `${v.binding}: not document style over HTTP`);
    const ops = childrenOf(binding, NS.wsdl, 'operation');
    check(JSON.stringify(ops.map((o) => attr(o, 'name'))) === JSON.stringify(operations), `${v.binding}: operations differ from DESIGN.md`);
    for (const op of ops) {
      const name = attr(op, 'name') ?? '';
      const soapOp = childOf(op, v.ns, 'operation');
      check(soapOp !== undefined && attr(soapOp, 'soapAction') === `${tns}#${name}`, `${v.binding} ${name}: soapAction is not ${tns}#${name}`);
      check(soapOp === undefined || attr(soapOp, 'soapActionRequired') === undefined, `${v.binding} ${name}: soapActionRequired must be left out`);
      for (const io of ['input', 'output']) {
        const body = childOf(childOf(op, NS.wsdl, io) ?? op, v.ns, 'body');
        check(body !== undefined && attr(body, 'use') === 'literal' && attr(body, 'namespace') === undefined,
          `${v.binding} ${name}: ${io} is not soap:body use="literal"`);
      }
      const fault = named(op, NS.wsdl, 'fault', 'GridbillFault');
      const soapFault = fault && childOf(fault, v.ns, 'fault');
      check(soapFault !== undefined && attr(soapFault, 'name') === 'GridbillFault' && attr(soapFault, 'use') === 'literal',
        `${v.binding} ${name}: GridbillFault is not bound`);
    }
    const services = childrenOf(root, NS.wsdl, 'service');
    const port = services.length === 1 ? named(services[0]!, NS.wsdl, 'port', v.port) : undefined;
    check(services.length === 1 && attr(services[0]!, 'name') === service, `one wsdl:service named ${service}`);
    check(port !== undefined && sameQName(qnameAttr(port, 'binding'), { uri: tns, local: v.binding }), `no port ${v.port} for ${v.binding}`);
    const address = port && childrenOf(port, v.ns, 'address');
    check(address !== undefined && address.length === 1 && attr(address[0]!, 'location') === `http://localhost:8100/soap/${service}`,
      `${v.port}: address is not the placeholder http://localhost:8100/soap/${service}`);
  }
  return problems;
}

/** The services table of ../shared/DESIGN.md, or undefined when the file is not beside the repo. */
function designServices(): Record<string, string[]> | undefined {
  if (!existsSync(designFile)) return undefined;
  const table: Record<string, string[]> = {};
  for (const line of readFileSync(designFile, 'utf8').split('\n')) {
    const m = /^\|\s*`(\w+Service)`\s*\|[^|]*\|\s*([^|]+?)\s*\|\s*$/.exec(line);
    if (m) table[m[1]!] = m[2]!.split(',').map((s) => s.trim());
  }
  return table;
}

describe('wsdl/ contracts', () => {
  const { common, contracts } = loadContracts();
  const schemas = allSchemas(common, contracts);

  it('parse as XML: common.xsd and one WSDL per service, nothing else in wsdl/', () => {
    expect(is(common, NS.xsd, 'schema')).to.equal(true);
    expect(attr(common, 'targetNamespace')).to.equal(NS.types);
    expect(attr(common, 'elementFormDefault')).to.equal('qualified');
    const files = readdirSync(wsdlDir).filter((f) => f !== 'README.md').sort();
    expect(files).to.deep.equal([...SERVICE_NAMES.map((s) => `${s}.wsdl`), 'common.xsd'].sort());
  });

  it('name the services and operations of the DESIGN.md table', function () {
    const design = designServices();
    if (!design && process.env.CI) throw new Error(`${designFile} is missing (CI clones shared/ beside the repository)`);
    if (!design) this.skip();
    expect(design).to.deep.equal(Object.fromEntries(SERVICE_NAMES.map((s) => [s, [...SERVICES[s]!.operations]])));
  });

  for (const service of SERVICE_NAMES) {
    it(`${service}: wrapped document/literal, SOAP 1.1 and 1.2 bindings, soapAction and GridbillFault on every operation`, () => {
      const contract = contracts.find((c) => c.service === service)!;
      expect(contractProblems(contract)).to.deep.equal([]);
    });
  }

  it('bound every string (maxLength or enumeration), decimal, date and repeated element; no xsd:any', () => {
    expect(boundProblems(schemas)).to.deep.equal([]);
  });

  it('the bound check itself refuses unbounded declarations', () => {
    const bad = parseXml(`<xsd:schema xmlns:xsd="${NS.xsd}" targetNamespace="urn:x" xmlns:x="urn:x">
      <xsd:simpleType name="Loose"><xsd:restriction base="xsd:string"><xsd:pattern value="[a-z]*"/></xsd:restriction></xsd:simpleType>
      <xsd:simpleType name="Amount"><xsd:restriction base="xsd:decimal"><xsd:fractionDigits value="2"/></xsd:restriction></xsd:simpleType>
      <xsd:element name="a" type="xsd:string"/>
      <xsd:element name="b"/>
      <xsd:element name="c"><xsd:complexType><xsd:sequence>
        <xsd:element name="d" type="x:Loose" maxOccurs="unbounded"/><xsd:any/>
      </xsd:sequence></xsd:complexType></xsd:element>
    </xsd:schema>`, 'bad.xsd');
    const problems = boundProblems([bad]);
    expect(problems).to.have.length(6);
  });

  it('GridbillFault codes are exactly the error catalogue, src/errors.ts, in its order', () => {
    expect(errorCodeEnumeration(common)).to.deep.equal(Object.keys(ERRORS));
    const faultType = named(common, NS.xsd, 'complexType', 'GridbillFaultType');
    const fields = faultType ? childrenOf(childOf(faultType, NS.xsd, 'sequence')!, NS.xsd, 'element').map((e) => attr(e, 'name')) : [];
    expect(fields).to.deep.equal(['code', 'message', 'correlationId']);
    expect(attr(named(common, NS.xsd, 'element', 'GridbillFault')!, 'type')).to.equal('t:GridbillFaultType');
  });
});

// ------------------------------------------------------------------ the tools, over HTTP

const LINT_PACKAGES = 'python3 python3-lxml libxml2-utils';
const GSOAP_PACKAGES = 'python3-lxml gsoap libgsoap-dev libssl-dev zlib1g-dev g++ pkg-config';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program asynchronously (the test's HTTP server must keep answering meanwhile). */
function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, [...args], { env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr: stderr || (error && typeof error.code !== 'number' ? error.message : '') });
    });
  });
}

async function missingPrerequisites(tool: 'wsdl-lint' | 'gsoap-check'): Promise<string[]> {
  const missing: string[] = [];
  if (!existsSync(path.join(interopDir, tool))) missing.push(`${path.join(interopDir, tool)} (the shared/ folder beside the repository)`);
  if ((await run('/usr/bin/python3', ['-c', 'import lxml.etree'])).code !== 0) missing.push('/usr/bin/python3 with lxml');
  const commands = tool === 'wsdl-lint' ? ['xmllint'] : ['wsdl2h', 'soapcpp2', 'g++'];
  for (const command of commands) {
    if ((await run('/bin/sh', ['-c', `command -v ${command}`])).code !== 0) missing.push(command);
  }
  if (tool === 'gsoap-check') {
    for (const header of ['/usr/include/stdsoap2.h', '/usr/include/openssl/ssl.h', '/usr/include/zlib.h']) {
      if (!existsSync(header)) missing.push(header);
    }
  }
  return missing;
}

/** Skips the suite with what to install, or fails under CI, where the tools must be there. */
async function requireTool(context: Mocha.Context, tool: 'wsdl-lint' | 'gsoap-check'): Promise<void> {
  const missing = await missingPrerequisites(tool);
  if (missing.length === 0) return;
  const packages = tool === 'wsdl-lint' ? LINT_PACKAGES : GSOAP_PACKAGES;
  const message = `${tool} cannot run: missing ${missing.join(', ')}; install the Debian packages: apt-get install -y ${packages}`;
  if (process.env.CI) throw new Error(`${message} (CI is set: the contract tools are required)`);
  console.warn(`      skipped: ${message}`);
  context.skip();
}

/**
 * Serves wsdl/ at the documented URLs: /soap/<Service>?wsdl and /soap/common.xsd; so the
 * WSDL's schemaLocation="common.xsd" resolves against the WSDL's URL exactly as it will on the core.
 */
function serveContracts(): Promise<{ readonly server: Server; readonly base: string }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const name = url.pathname.startsWith('/soap/') ? url.pathname.slice('/soap/'.length) : '';
    let file: string | undefined;
    if (name === 'common.xsd' && url.search === '') file = 'common.xsd';
    else if (SERVICE_NAMES.includes(name) && url.search.toLowerCase() === '?wsdl') file = `${name}.wsdl`;
    if (req.method !== 'GET' || file === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8' }).end(readFileSync(path.join(wsdlDir, file)));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    });
  });
}

const failLines = (stdout: string): string[] => stdout.split('\n').filter((l) => l.startsWith('FAIL'));

/** Each invalid sample and a fragment of the validation error it must fail with. */
const INVALID_SAMPLES: Readonly<Record<string, string>> = {
  'Pay.money-three-decimals.request.xml': "'fractionDigits'",
  'Pay.money-exponent.request.xml': "'1e3' is not a valid value",
  'Pay.money-zero.request.xml': "'minInclusive'",
  'Pay.customer-no-letters.request.xml': "'33010000000AB' is not accepted by the pattern",
  'Pay.customer-no-short.request.xml': "'123456789' is not accepted by the pattern",
  'Pay.customer-no-fullwidth-digits.request.xml': 'customerNo',
  'Pay.missing-accounting-date.request.xml': 'Missing child element(s). Expected is ( {urn:gridbill:channel-payment:v1}accountingDate )',
  'Pay.bad-date.request.xml': "'2026-02-30' is not a valid value",
  'Pay.txn-id-injection.request.xml': 'channelTxnId',
  'Pay.unknown-element.request.xml': "'{urn:gridbill:channel-payment:v1}comment': This element is not expected",
  'Pay.wrong-order.request.xml': 'This element is not expected',
  'Pay.wrong-namespace.request.xml': 'No matching global declaration',
  'QueryArrears.bad-period.response.xml': "'2026-13' is not accepted by the pattern",
  'Pay.timestamp-without-offset.response.xml': "'2026-11-20T10:15:30' is not accepted by the pattern",
  'Pay.fault-unknown-code.response.xml': "'NO_SUCH_CODE' is not an element of the set",
  'SignWithholding.bad-account.request.xml': 'bankAccount',
};

describe('wsdl/ contracts served over HTTP, judged by the interop tools', () => {
  let server: Server | undefined;
  let base = '';
  const wsdlUrl = (service: string): string => `${base}/soap/${service}?wsdl`;

  before(async () => {
    ({ server, base } = await serveContracts());
  });
  after((done) => {
    if (server) server.close(() => done());
    else done();
  });

  describe('wsdl-lint (xmllint + WS-I Basic Profile)', () => {
    before(async function () {
      await requireTool(this, 'wsdl-lint');
    });

    for (const service of SERVICE_NAMES) {
      it(`${service}: no FAIL`, async function () {
        this.timeout(120_000);
        const result = await run(path.join(interopDir, 'wsdl-lint'), [wsdlUrl(service)]);
        expect(failLines(result.stdout), result.stdout + result.stderr).to.deep.equal([]);
        expect(result.code, result.stdout + result.stderr).to.equal(0);
        expect(result.stdout).to.match(/PASS\s+xmllint\s+wsdl:types\/xsd:schema\[1\] compiles/);
      });
    }

    it('ChannelPaymentService: every sample message validates; every invalid one fails for its reason', async function () {
      this.timeout(120_000);
      const dir = path.join(samplesDir, 'ChannelPaymentService');
      const valid = readdirSync(dir).filter((f) => f.endsWith('.xml')).sort();
      const invalid = readdirSync(path.join(dir, 'invalid')).filter((f) => f.endsWith('.xml')).sort();
      for (const op of SERVICES.ChannelPaymentService!.operations) {
        expect(valid, `samples of ${op}`).to.include.members([`${op}.request.xml`, `${op}.response.xml`]);
      }
      expect(invalid).to.deep.equal(Object.keys(INVALID_SAMPLES).sort());
      const args = [wsdlUrl('ChannelPaymentService'),
        ...valid.flatMap((f) => ['--instance', path.join(dir, f)]),
        ...invalid.flatMap((f) => ['--instance', path.join(dir, 'invalid', f)])];
      const result = await run(path.join(interopDir, 'wsdl-lint'), args);
      const lines = result.stdout.split('\n').filter((l) => /^(PASS|FAIL)\s+instance\s/.test(l));
      const linesOf = (file: string): string[] => lines.filter((l) => l.includes(` ${file}: `));
      for (const file of valid) {
        expect(linesOf(file), `${file}\n${result.stdout}`).to.have.length.greaterThan(0);
        expect(linesOf(file).filter((l) => l.startsWith('FAIL')), file).to.deep.equal([]);
      }
      for (const file of invalid) {
        const failures = linesOf(file).filter((l) => l.startsWith('FAIL'));
        expect(failures, `${file} must fail validation\n${result.stdout}`).to.have.length(1);
        expect(failures[0], file).to.include(INVALID_SAMPLES[file]);
      }
      expect(result.code).to.equal(1); // the invalid samples
    });
  });

  describe('gsoap-check (wsdl2h + soapcpp2 + g++)', () => {
    let cache = '';
    before(async function () {
      await requireTool(this, 'gsoap-check');
      cache = mkdtempSync(path.join(tmpdir(), 'gridbill-gsoap-'));
    });
    after(() => {
      if (cache) rmSync(cache, { recursive: true, force: true });
    });

    for (const service of SERVICE_NAMES) {
      it(`${service}: accepted and compiled, every operation in both bindings`, async function () {
        this.timeout(600_000); // a C++ compile per WSDL; no timing is asserted
        const result = await run(path.join(interopDir, 'gsoap-check'), [wsdlUrl(service)], { ...process.env, GSOAP_CALL_CACHE: cache });
        expect(result.code, result.stdout + result.stderr).to.equal(0);
        const report = JSON.parse(result.stdout) as {
          accepted: boolean;
          wsdl2h_warnings: string[];
          bindings: Record<string, string>;
          operations: Record<string, string[]>;
        };
        expect(report.accepted).to.equal(true);
        expect(report.wsdl2h_warnings).to.deep.equal([]);
        expect(Object.keys(report.bindings).sort()).to.deep.equal([`${service}Soap11Binding`, `${service}Soap12Binding`]);
        for (const prefix of Object.values(report.bindings)) {
          expect(report.operations[prefix]).to.deep.equal([...SERVICES[service]!.operations].sort());
        }
      });
    }
  });
});
