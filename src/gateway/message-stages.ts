// Stages 1–4 and 7, which look only at the message: transport (the body expanded), parse (the
// contract's bounded reader: no DTD, entity or processing instruction, malformed UTF-8 refused,
// depth, element, attribute, name and text limits), envelope (the SOAP version the content type
// names, one Body with one element, only the headers the policy allows, mustUnderstand honoured),
// route (the operation from the Body's element; a SOAPAction must name the same one) and validate
// (the operation's compiled XSD validator).

import { parseXml, XmlRejected, type XmlElement } from '../contract/xml.ts';
import type { OperationContract, ServiceContract, SoapVersion } from '../contract/service-contract.ts';
import { WSSE_NS } from '../contract/ws-security.ts';
import type { Violation } from '../contract/validate.ts';
import type { ErrorCode } from '../errors.ts';
import type { Exchange } from './exchange.ts';
import { parseContentType, unquote } from '../contract/soap-content-type.ts';
import { checkHead, expandBody } from './transport.ts';
import { PASS, deny, denyHttp, type Verdict } from './verdict.ts';

export const ENVELOPE_NS: Readonly<Record<SoapVersion, string>> = {
  '1.1': 'http://schemas.xmlsoap.org/soap/envelope/',
  '1.2': 'http://www.w3.org/2003/05/soap-envelope',
};

export function transportStage(x: Exchange, plainHttpLoopbackOnly: boolean): Verdict {
  const head = checkHead(x.request, plainHttpLoopbackOnly);
  if (!head.ok) return head;
  if (x.request.bodyTooLarge === true) return denyHttp('transport', 'REQUEST_TOO_LARGE', 'body-length');
  const type = parseContentType(x.request.headers['content-type'])!;
  x.version = type.version;
  const soapAction = x.request.headers.soapaction;
  // SOAP 1.1 carries the action in its own header, SOAP 1.2 in the content type; either may be absent.
  const sent = type.version === '1.1' ? (typeof soapAction === 'string' ? unquote(soapAction.trim()) : undefined) : type.action;
  if (sent !== undefined) x.soapAction = sent;
  const expanded = expandBody(x.request, x.request.rawBody);
  if (!expanded.ok) return expanded.verdict;
  x.body = expanded.body;
  return PASS;
}

export function parseStage(x: Exchange): Verdict {
  try {
    x.root = parseXml(x.body!);
    return PASS;
  } catch (error) {
    if (!(error instanceof XmlRejected)) throw error;
    return deny('parse', 'VALIDATION_FAILED', reasonCode(error.reason), { httpStatus: 400 });
  }
}

/** XmlRejected's sentence as a stable reason code for the audit log. */
function reasonCode(reason: string): string {
  if (reason.startsWith('not well-formed')) return 'not-well-formed';
  return reason.replace(/[^a-zA-Z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase().slice(0, 48);
}

function isTrue(value: string | undefined): boolean {
  return value === '1' || value === 'true';
}

function checkHeaders(header: XmlElement, ns: string, allowedHeaders: ReadonlySet<string>): Verdict {
  if (header.text.trim() !== '') return deny('envelope', 'VALIDATION_FAILED', 'text-in-header');
  for (const entry of header.children) {
    if (entry.uri === WSSE_NS && entry.local === 'Security') continue;
    if (allowedHeaders.has(`{${entry.uri}}${entry.local}`)) continue;
    // A header nobody here understands: a fault of its own when the sender made it mandatory
    // (SOAP 1.1 §4.2.3, R1027), refused anyway otherwise, since the gateway forwards no header it does not write.
    if (isTrue(entry.attrs.get(`{${ns}}mustUnderstand`))) return deny('envelope', 'VALIDATION_FAILED', 'must-understand', { side: 'MustUnderstand' });
    return deny('envelope', 'VALIDATION_FAILED', 'header-not-allowed');
  }
  return PASS;
}

export function envelopeStage(x: Exchange, allowedHeaders: ReadonlySet<string>): Verdict {
  const root = x.root!;
  const ns = ENVELOPE_NS[x.version!];
  if (root.local !== 'Envelope') return deny('envelope', 'VALIDATION_FAILED', 'not-an-envelope');
  if (root.uri !== ns) return deny('envelope', 'VALIDATION_FAILED', 'envelope-version', { side: 'VersionMismatch' });
  if (root.text.trim() !== '') return deny('envelope', 'VALIDATION_FAILED', 'envelope-content');
  const [first, second, ...rest] = root.children;
  const header = first?.uri === ns && first.local === 'Header' ? first : undefined;
  const body = header ? second : first;
  if (!body || body.uri !== ns || body.local !== 'Body' || (header ? rest.length > 0 : second !== undefined)) {
    return deny('envelope', 'VALIDATION_FAILED', 'envelope-structure');
  }
  if (body.children.length !== 1 || body.text.trim() !== '') return deny('envelope', 'VALIDATION_FAILED', 'body-not-one-element');
  if (header) {
    const checked = checkHeaders(header, ns, allowedHeaders);
    if (!checked.ok) return checked;
    x.header = header;
  }
  x.operationElement = body.children[0]!;
  if (x.operationElement.uri !== x.contract.namespace) return deny('envelope', 'VALIDATION_FAILED', 'operation-namespace');
  return PASS;
}

/** Every SOAPAction that names the operation besides the empty one: its soapAction, or the forms gSOAP derives. */
export function acceptedActions(contract: ServiceContract, op: OperationContract): ReadonlySet<string> {
  const accepted = new Set([op.soapAction]);
  for (const first of ['/', ':']) {
    for (const second of ['/', ':']) {
      for (const name of [op.name, `${op.name}Request`]) accepted.add(`${contract.namespace}${first}${contract.service}PortType${second}${name}`);
    }
  }
  return accepted;
}

export function routeStage(x: Exchange, actions: ReadonlyMap<string, ReadonlySet<string>>): Verdict {
  const op = x.contract.operationOfRequest(x.operationElement!);
  if (op === undefined) return deny('route', 'VALIDATION_FAILED', 'unknown-operation');
  x.operation = op;
  // The body decides; a SOAPAction that names another operation is refused (WS-I R2744), so
  // authorisation and dispatch can never look at different keys.
  if (x.soapAction !== undefined && x.soapAction !== '' && !actions.get(op.name)?.has(x.soapAction)) {
    return deny('route', 'VALIDATION_FAILED', 'soapaction-mismatch');
  }
  return PASS;
}

const OUT_OF_RANGE = /^(below the minimum|above the maximum) /;

/**
 * A Pay whose only fault is an amount outside t:PaymentAmount's range gets the code the core gives
 * it (PAYMENT_AMOUNT_INVALID, as the interop cases expect), so a channel gets the same answer
 * through the gateway as directly; any other violation is VALIDATION_FAILED.
 */
function violationCode(x: Exchange, violations: readonly Violation[]): ErrorCode {
  const amountPath = `/${x.operation!.name}/amount`;
  const onlyRange = x.operation!.name === 'Pay' && violations.length > 0 && violations.every((v) => v.path === amountPath && OUT_OF_RANGE.test(v.reason));
  return onlyRange ? 'PAYMENT_AMOUNT_INVALID' : 'VALIDATION_FAILED';
}

export function validateStage(x: Exchange): Verdict {
  const result = x.operation!.request.validate(x.operationElement!);
  if (!result.ok) {
    const first = result.violations[0];
    return deny('validate', violationCode(x, result.violations), `schema: ${first ? `${first.path} ${first.reason}` : 'invalid'}`.slice(0, 200));
  }
  x.value = result.value;
  return PASS;
}
