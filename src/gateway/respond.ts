// Stage 10, respond: the core's answer is held to the contract like a request. A response element
// must validate against the operation's response declaration and is written again canonically; a
// fault is passed on only as its catalogued code, with the catalogue's message and this request's
// correlation id — never the core's text. Anything else (not XML, not an envelope, an unknown
// code, an element the contract does not declare) becomes INTERNAL, and the reason goes to the
// audit log only. The answer is always in the SOAP version the caller used.

import { ERRORS, isErrorCode, type ErrorCode } from '../errors.ts';
import { escapeXml, parseXml, XmlRejected, type XmlElement } from '../contract/xml.ts';
import type { SoapVersion } from '../contract/service-contract.ts';
import type { Exchange } from './exchange.ts';
import { ENVELOPE_NS } from './message-stages.ts';
import { PASS, deny, type FaultSide, type Verdict } from './verdict.ts';

const TYPES_NS = 'urn:gridbill:types:v1';

export function contentTypeOf(version: SoapVersion): string {
  return version === '1.1' ? 'text/xml; charset=utf-8' : 'application/soap+xml; charset=utf-8';
}

export function soapEnvelope(version: SoapVersion, body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${ENVELOPE_NS[version]}"><soap:Body>${body}</soap:Body></soap:Envelope>`;
}

const SOAP12_CODE: Readonly<Record<FaultSide, string>> = {
  Client: 'Sender', Server: 'Receiver', VersionMismatch: 'VersionMismatch', MustUnderstand: 'MustUnderstand',
};

/** A fault envelope with the t:GridbillFault detail: the catalogue's message, never a reason. */
export function faultXml(version: SoapVersion, code: ErrorCode, side: FaultSide, correlationId: string): string {
  const message = escapeXml(ERRORS[code].message);
  const detail = `<t:GridbillFault xmlns:t="${TYPES_NS}"><t:code>${code}</t:code><t:message>${message}</t:message>`
    + `<t:correlationId>${escapeXml(correlationId)}</t:correlationId></t:GridbillFault>`;
  const body = version === '1.1'
    ? `<soap:Fault><faultcode>soap:${side}</faultcode><faultstring>${message}</faultstring><detail>${detail}</detail></soap:Fault>`
    : `<soap:Fault><soap:Code><soap:Value>soap:${SOAP12_CODE[side]}</soap:Value></soap:Code>`
      + `<soap:Reason><soap:Text xml:lang="en">${message}</soap:Text></soap:Reason><soap:Detail>${detail}</soap:Detail></soap:Fault>`;
  return soapEnvelope(version, body);
}

function bodyElement(root: XmlElement, version: SoapVersion): XmlElement | undefined {
  const ns = ENVELOPE_NS[version];
  if (root.uri !== ns || root.local !== 'Envelope') return undefined;
  const body = root.children.find((c) => c.uri === ns && c.local === 'Body');
  return body?.children.length === 1 ? body.children[0] : undefined;
}

/** The catalogued code of a core fault, or undefined when it carries none. */
function faultCode(fault: XmlElement): ErrorCode | undefined {
  const detail = fault.children.find((c) => c.local === 'detail' || c.local === 'Detail');
  const gridbill = detail?.children.find((c) => c.uri === TYPES_NS && c.local === 'GridbillFault');
  const code = gridbill?.children.find((c) => c.uri === TYPES_NS && c.local === 'code')?.text.trim();
  return code !== undefined && isErrorCode(code) ? code : undefined;
}

export function respondStage(x: Exchange): Verdict {
  const version = x.version!;
  let root: XmlElement;
  try {
    root = parseXml(x.coreAnswer!.body);
  } catch (error) {
    if (error instanceof XmlRejected) return deny('respond', 'INTERNAL', 'core-answer-not-xml');
    throw error;
  }
  const element = bodyElement(root, version);
  if (element === undefined) return deny('respond', 'INTERNAL', 'core-answer-not-envelope');
  if (element.uri === ENVELOPE_NS[version] && element.local === 'Fault') {
    const code = faultCode(element);
    if (code === undefined) return deny('respond', 'INTERNAL', 'core-fault-uncatalogued');
    x.answer = { status: 500, xml: faultXml(version, code, ERRORS[code].fault, x.request.correlationId), faultCode: code };
    return PASS;
  }
  const operation = x.operation!;
  const checked = operation.response.validate(element);
  if (!checked.ok) return deny('respond', 'INTERNAL', 'core-answer-invalid');
  x.answer = { status: 200, xml: soapEnvelope(version, operation.response.write(checked.value)) };
  return PASS;
}
