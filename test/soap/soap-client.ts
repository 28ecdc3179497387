// A deliberately plain SOAP client for the server tests: envelopes written by hand (so every
// variation a real client sends can be reproduced), a UsernameToken with PasswordDigest, and the
// answer parsed with the namespace-aware tree of the contract tests.

import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { passwordDigest } from '../../src/contract/ws-security.ts';
import { childOf, parseXml, type XmlNode } from '../wsdl/xml-tree.ts';

export const CP = 'urn:gridbill:channel-payment:v1';
export const TYPES = 'urn:gridbill:types:v1';
export const ENV = { '1.1': 'http://schemas.xmlsoap.org/soap/envelope/', '1.2': 'http://www.w3.org/2003/05/soap-envelope' } as const;
export type Version = keyof typeof ENV;
const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd';
const DIGEST = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest';
const TEXT = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText';
const B64 = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary';

export interface TokenOptions {
  readonly created?: string;
  readonly nonce?: string;
  /** Send this digest instead of the right one. */
  readonly digest?: string;
  readonly passwordText?: boolean;
  /** `soap` (soap:mustUnderstand="1"), `suds` (unprefixed mustUnderstand="true"), or none (zeep). */
  readonly mustUnderstand?: 'soap' | 'suds' | 'none';
  /** Write Created, Nonce, Password, Username (and a Timestamp first) instead of the usual order. */
  readonly reversed?: boolean;
}

export function securityHeader(user: string, password: string, options: TokenOptions = {}): string {
  const created = options.created ?? new Date().toISOString();
  const nonce = options.nonce ?? randomBytes(16).toString('base64');
  const digest = options.digest ?? passwordDigest(nonce, created, password);
  const mu = options.mustUnderstand ?? 'soap';
  const attr = mu === 'soap' ? ' soap:mustUnderstand="1"' : mu === 'suds' ? ' mustUnderstand="true"' : '';
  const parts = [
    `<wsse:Username>${user}</wsse:Username>`,
    options.passwordText ? `<wsse:Password Type="${TEXT}">${password}</wsse:Password>` : `<wsse:Password Type="${DIGEST}">${digest}</wsse:Password>`,
    `<wsse:Nonce EncodingType="${B64}">${nonce}</wsse:Nonce>`,
    `<wsu:Created>${created}</wsu:Created>`,
  ];
  const timestamp = options.reversed ? `<wsu:Timestamp wsu:Id="TS-1"><wsu:Created>${created}</wsu:Created></wsu:Timestamp>` : '';
  return `<wsse:Security xmlns:wsse="${WSSE}" xmlns:wsu="${WSU}"${attr}>${timestamp}`
    + `<wsse:UsernameToken>${(options.reversed ? [...parts].reverse() : parts).join('')}</wsse:UsernameToken></wsse:Security>`;
}

export function soapEnvelope(version: Version, body: string, header = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${ENV[version]}" xmlns:cp="${CP}">`
    + `${header ? `<soap:Header>${header}</soap:Header>` : ''}<soap:Body>${body}</soap:Body></soap:Envelope>`;
}

/** `<cp:Op><cp:k>v</cp:k>…</cp:Op>`; an array value repeats the element. */
export function operation(name: string, fields: Record<string, string | readonly string[]>): string {
  const inner = Object.entries(fields).flatMap(([k, v]) => (typeof v === 'string' ? [v] : v).map((x) => `<cp:${k}>${x}</cp:${k}>`)).join('');
  return `<cp:${name}>${inner}</cp:${name}>`;
}

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

export function post(url: string, body: string | Buffer, headers: Record<string, string>, method = 'POST'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { 'Content-Length': String(Buffer.byteLength(body)), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export function get(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  return post(url, '', headers, 'GET');
}

export interface CallOptions {
  readonly version?: Version;
  readonly header?: string;
  /** SOAP 1.1 SOAPAction header value as sent (quotes included); SOAP 1.2 `action` parameter. */
  readonly action?: string;
  readonly contentType?: string;
}

export function contentTypeFor(version: Version, action?: string): string {
  return version === '1.1' ? 'text/xml; charset=utf-8' : `application/soap+xml; charset=utf-8${action === undefined ? '' : `; action="${action}"`}`;
}

export function call(url: string, body: string, options: CallOptions = {}): Promise<Reply> {
  const version = options.version ?? '1.1';
  const headers: Record<string, string> = { 'Content-Type': options.contentType ?? contentTypeFor(version, options.action) };
  if (version === '1.1' && options.action !== undefined) headers.SOAPAction = options.action;
  return post(url, soapEnvelope(version, body, options.header), headers);
}

/** The Body's one element of an answer. */
export function bodyOf(reply: Reply, version: Version): XmlNode {
  const root = parseXml(reply.text, 'reply');
  const body = childOf(root, ENV[version], 'Body');
  if (!body || body.children.length !== 1) throw new Error(`no single body element: ${reply.text}`);
  return body.children[0]!;
}

/** [name, text] of each child, in document order: what zeep checks. */
export function fieldsOf(node: XmlNode): [string, string][] {
  return node.children.map((c) => [c.local, c.children.length ? '…' : c.text]);
}

export function text(node: XmlNode, local: string, uri = CP): string | undefined {
  return childOf(node, uri, local)?.text;
}

export interface FaultSeen {
  readonly code: string;
  readonly string: string;
  readonly detailCode: string;
  readonly detailMessage: string;
  readonly correlationId: string;
}

export function faultOf(reply: Reply, version: Version): FaultSeen {
  const fault = bodyOf(reply, version);
  if (fault.local !== 'Fault' || fault.uri !== ENV[version]) throw new Error(`not a fault: ${reply.text}`);
  const env = ENV[version];
  const code = version === '1.1' ? childOf(fault, '', 'faultcode')!.text : childOf(childOf(fault, env, 'Code')!, env, 'Value')!.text;
  const string = version === '1.1' ? childOf(fault, '', 'faultstring')!.text : childOf(childOf(fault, env, 'Reason')!, env, 'Text')!.text;
  const detail = version === '1.1' ? childOf(fault, '', 'detail')! : childOf(fault, env, 'Detail')!;
  const gf = childOf(detail, TYPES, 'GridbillFault')!;
  return {
    code, string, detailCode: text(gf, 'code', TYPES)!, detailMessage: text(gf, 'message', TYPES)!, correlationId: text(gf, 'correlationId', TYPES)!,
  };
}
