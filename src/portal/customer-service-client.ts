// The portal's outbound SOAP client of CustomerService (wsdl/CustomerService.wsdl), SOAP 1.1, on
// node:http(s) with kept-alive sockets. The portal holds no database: every page is made of these
// answers. It authenticates as its channel with a WS-Security UsernameToken (PasswordDigest), the
// customer by the session token in the body, like any other channel.
//
// Requests are written by the contract's canonical writer from the compiled WSDL, so a value the
// contract does not allow (a customer number with a letter, a 7-digit code) is refused here as
// `invalid` with the field's name and never sent. Answers are read with the contract's bounded
// reader and validated against the response element: an answer that is not what the contract
// says is `unavailable` (malformed), never half-believed. Every call ends in a value, never an
// exception, because the pages must explain each outcome.
//
// Bounds from src/limits.ts, passed explicitly: the whole call is cut at portalUpstreamTimeoutMs,
// the answer at portalUpstreamAnswerBytesMax, the sockets at portalUpstreamSocketsMax.

import { randomBytes } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { ContractWriteError } from '../contract/canonical-writer.ts';
import { postSoap, type SoapPostResult } from '../contract/soap-post.ts';
import { passwordDigest } from '../contract/ws-security.ts';
import type { ComplexValue, ContractValue, ElementDecl } from '../contract/schema.ts';
import { loadServiceContract, type OperationContract, type ServiceContract } from '../contract/service-contract.ts';
import { decodeUtf8, escapeXml, parseXml, XmlRejected, type XmlElement } from '../contract/xml.ts';
import { LIMITS } from '../limits.ts';
import { outboundHeaders } from '../ops/context.ts';
import type { Logger } from '../ops/logger.ts';

const SOAP11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const TYPES = 'urn:gridbill:types:v1';
const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
const DIGEST = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest';
const BASE64 = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';

export type CustomerOperation =
  | 'RequestLoginCode' | 'Login' | 'Logout' | 'GetProfile' | 'UpdateProfile' | 'QueryConsumption' | 'QueryBills' | 'EstimateFee' | 'PayOnline';

/** Request fields by name; an array repeats the element; undefined leaves an optional one out. */
export type RequestFields = Readonly<Record<string, string | readonly string[] | undefined>>;

/** A validated answer element, read by name. Values are the exact strings the core sent. */
export class Answer {
  constructor(readonly value: ComplexValue) {}

  optional(name: string): string | undefined {
    const child = this.value.children.find((c) => c.name === name);
    return child?.kind === 'simple' ? child.text : undefined;
  }

  text(name: string): string {
    const value = this.optional(name);
    // the answer was validated against the contract: a required element is there
    if (value === undefined) throw new Error(`answer without ${name}`);
    return value;
  }

  all(name: string): Answer[] {
    return this.value.children.filter((c): c is ComplexValue => c.name === name && c.kind === 'complex').map((c) => new Answer(c));
  }

  texts(name: string): string[] {
    return this.value.children.filter((c) => c.name === name && c.kind === 'simple').map((c) => (c as { text: string }).text);
  }
}

export type CallResult =
  | { readonly kind: 'answer'; readonly answer: Answer }
  | { readonly kind: 'fault'; readonly code: string; readonly message: string }
  /** A request value the contract does not allow: nothing was sent. */
  | { readonly kind: 'invalid'; readonly field: string; readonly reason: string }
  | { readonly kind: 'unavailable'; readonly reason: 'timeout' | 'unreachable' | 'malformed'; readonly detail: string };

export interface CustomerServiceClientOptions {
  /** The CustomerService endpoint, e.g. http://127.0.0.1:8200/soap/CustomerService. */
  readonly url: string;
  readonly channel: string;
  readonly password: string;
  readonly logger?: Logger;
  /** LIMITS.portalUpstreamTimeoutMs unless given (tests pass less). */
  readonly timeoutMs?: number;
}

type Raw = SoapPostResult;

function securityHeader(channel: string, password: string): string {
  const nonce = randomBytes(16).toString('base64');
  const created = new Date().toISOString();
  return `<wsse:Security xmlns:wsse="${WSSE}" xmlns:wsu="${WSU}" soap:mustUnderstand="1"><wsse:UsernameToken>`
    + `<wsse:Username>${escapeXml(channel)}</wsse:Username>`
    + `<wsse:Password Type="${DIGEST}">${passwordDigest(nonce, created, password)}</wsse:Password>`
    + `<wsse:Nonce EncodingType="${BASE64}">${nonce}</wsse:Nonce><wsu:Created>${created}</wsu:Created>`
    + '</wsse:UsernameToken></wsse:Security>';
}

/** The request value of a flat wrapper (every CustomerService request is one) from named fields. */
function requestValue(decl: ElementDecl, fields: RequestFields): ComplexValue {
  if (decl.type.kind !== 'complex') throw new Error(`${decl.name} is not a wrapper element`);
  const children: ContractValue[] = [];
  for (const particle of decl.type.particles) {
    const given = fields[particle.name];
    if (particle.type.kind !== 'simple') throw new Error(`${decl.name}/${particle.name}: only simple fields are written here`);
    const builtin = particle.type.builtin;
    for (const text of given === undefined ? [] : typeof given === 'string' ? [given] : given) {
      children.push({ kind: 'simple', namespace: particle.namespace, name: particle.name, text, builtin });
    }
  }
  const names = new Set(decl.type.particles.map((p) => p.name));
  const unknown = Object.keys(fields).find((name) => !names.has(name));
  if (unknown !== undefined) throw new Error(`${decl.name}: no field ${unknown}`);
  return { kind: 'complex', namespace: decl.namespace, name: decl.name, children };
}

function bodyElement(body: Buffer): XmlElement {
  const root = parseXml(decodeUtf8(body));
  if (root.uri !== SOAP11 || root.local !== 'Envelope') throw new XmlRejected('not a SOAP 1.1 envelope');
  const soapBody = root.children.find((c) => c.uri === SOAP11 && c.local === 'Body');
  if (soapBody === undefined || soapBody.children.length !== 1) throw new XmlRejected('no single element in the Body');
  return soapBody.children[0]!;
}

function faultOf(element: XmlElement): CallResult {
  const detail = element.children.find((c) => c.uri === '' && c.local === 'detail');
  const fault = detail?.children.find((c) => c.uri === TYPES && c.local === 'GridbillFault');
  const text = (local: string) => fault?.children.find((c) => c.uri === TYPES && c.local === local)?.text.trim();
  const code = text('code');
  if (code === undefined || !/^[A-Z][A-Z0-9_]{1,63}$/.test(code)) {
    return { kind: 'unavailable', reason: 'malformed', detail: 'a fault without a gridbill code' };
  }
  return { kind: 'fault', code, message: (text('message') ?? '').slice(0, 500) };
}

export class CustomerServiceClient {
  private readonly url: URL;
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly timeoutMs: number;
  private readonly contract: ServiceContract;

  constructor(private readonly options: CustomerServiceClientOptions) {
    this.url = new URL(options.url);
    if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:') throw new RangeError(`CustomerService URL must be http(s): ${this.url.protocol}`);
    this.timeoutMs = options.timeoutMs ?? LIMITS.portalUpstreamTimeoutMs;
    const agentOptions = { keepAlive: true, maxSockets: LIMITS.portalUpstreamSocketsMax, keepAliveMsecs: LIMITS.httpKeepAliveTimeoutMs };
    this.agent = this.url.protocol === 'https:' ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
    this.contract = loadServiceContract('CustomerService');
  }

  async call(operation: CustomerOperation, fields: RequestFields): Promise<CallResult> {
    const op = this.contract.operations.get(operation);
    if (op === undefined) throw new Error(`CustomerService has no operation ${operation}`);
    let element: string;
    try {
      element = op.request.write(requestValue(op.request.decl, fields));
    } catch (error) {
      if (!(error instanceof ContractWriteError)) throw error;
      return { kind: 'invalid', field: error.path.split('/')[2]?.replace(/\[\d+\]$/, '') ?? '', reason: error.message };
    }
    const xml = `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${SOAP11}"><soap:Header>`
      + `${securityHeader(this.options.channel, this.options.password)}</soap:Header><soap:Body>${element}</soap:Body></soap:Envelope>`;
    const started = Date.now();
    const raw = await postSoap({
      url: this.url, agent: this.agent, soapAction: op.soapAction, xml, timeoutMs: this.timeoutMs,
      answerBytesMax: LIMITS.portalUpstreamAnswerBytesMax, headers: outboundHeaders(),
    });
    const result = this.interpret(raw, op);
    const entry = { operation, ms: Date.now() - started, outcome: result.kind === 'fault' ? `fault ${result.code}` : result.kind };
    if (result.kind === 'unavailable') this.options.logger?.warn('CustomerService call', { ...entry, detail: result.detail });
    else this.options.logger?.debug('CustomerService call', entry);
    return result;
  }

  /** Closes the kept-alive sockets (at shutdown). */
  close(): void {
    this.agent.destroy();
  }

  private interpret(raw: Raw, op: OperationContract): CallResult {
    if (raw.kind === 'no-answer') return { kind: 'unavailable', reason: raw.reason, detail: raw.detail };
    try {
      const element = bodyElement(raw.body);
      if (element.uri === SOAP11 && element.local === 'Fault') return faultOf(element);
      if (raw.status !== 200) return { kind: 'unavailable', reason: 'malformed', detail: `HTTP ${raw.status} without a fault` };
      const validation = op.response.validate(element);
      if (!validation.ok) {
        const first = validation.violations[0];
        return { kind: 'unavailable', reason: 'malformed', detail: `answer outside the contract: ${first?.path} ${first?.reason}` };
      }
      return { kind: 'answer', answer: new Answer(validation.value) };
    } catch (error) {
      if (error instanceof XmlRejected) return { kind: 'unavailable', reason: 'malformed', detail: error.reason };
      throw error;
    }
  }
}
