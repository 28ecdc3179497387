// One SOAP endpoint (`POST /soap/<Service>`): SOAP 1.1 and 1.2 on the same URL, dispatched on the
// Body's element, authenticated with WS-Security UsernameToken, answered in the request's version.
//
// In this order, each refusal before the envelope is read being a plain HTTP status:
//   content type text/xml (1.1) or application/soap+xml (1.2), UTF-8, no content encoding → 415;
//   at most LIMITS.httpBodyBytesMax bytes (by Content-Length and while reading) → 413;
//   well-formed, bounded, UTF-8 XML without DOCTYPE or processing instructions → 400 + Client fault;
//   an Envelope in the namespace of the content type's version → VersionMismatch fault;
//   [Header] Body, one element in the Body; headers with mustUnderstand we do not know → MustUnderstand;
//   the Body's element is an operation of the service (namespace and name) → else Client fault;
//   SOAPAction (1.1 header, 1.2 `action` parameter), when present and not empty, names that same
//   operation: its soapAction, quoted or not, or the `<tns>/<PortType>/<Op>` form gSOAP derives
//   → else Client fault (WS-I R2744): dispatch and authorisation use the same key, the body's;
//   the UsernameToken proves a channel's password → else AUTH_FAILED; the operation is in its list
//   → else OPERATION_NOT_ALLOWED; then the port. Every fault goes out with HTTP 500 (400 for XML
//   that is not well-formed) and the t:GridbillFault detail; a database that cannot be reached
//   (down, failing over, locked) is UNAVAILABLE, worth a retry with the same transaction id; any
//   other unexpected exception is INTERNAL, logged here and never described to the caller.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { businessTimestamp } from '../clock.ts';
import { ERRORS, isGridbillError, type ErrorCode } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import { currentContext, newCorrelationId } from '../ops/context.ts';
import { readBody } from '../ops/http-server.ts';
import type { Logger } from '../ops/logger.ts';
import { isDatabaseUnavailable } from '../store/unavailable.ts';
import type { ChannelAuthenticator } from './channel-auth.ts';
import { parseContentType, unquote, type ContentType } from '../contract/soap-content-type.ts';
import { Args, type OperationContract, type ServiceContract } from './service-contract.ts';
import {
  NS, XmlRejected, contentTypeOf, decodeUtf8, envelope, envelopeNs, faultEnvelope, parseXml, writeElement, type FaultSide,
  type SoapVersion, type TextBound, type XmlElement, type XmlFields,
} from './soap-xml.ts';

export interface OperationContext {
  /** The authenticated channel's code (the UsernameToken's username). */
  readonly channel: string;
  /** When the request arrived, ISO 8601 with the business offset (+08:00). */
  readonly now: string;
}

/** An operation of a port: the request checked against its shape → the response's content. */
export type OperationHandler = (args: Args, context: OperationContext) => Promise<XmlFields>;

export interface ServicePort {
  readonly contract: ServiceContract;
  /** Operations of the contract without a handler are answered with UNAVAILABLE. */
  readonly operations: Readonly<Partial<Record<string, OperationHandler>>>;
  /**
   * Fields whose text may exceed LIMITS.xmlTextCharsMax, by request element and field name: a
   * document carried as a string (PublishTariff). Every other text node keeps the general bound.
   */
  readonly textCharsMax?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** A request answered (or refused), as its log line tells it. */
export interface CompletedCall {
  readonly service: string;
  readonly operation: string | null;
  /** The UsernameToken's username, once the token could be read; null before that. */
  readonly channel: string | null;
  /** `ok`, the fault's code, or `http-<status>`. */
  readonly outcome: string;
  readonly at: Date;
  /** From the request's arrival to its answer being handed to the socket. */
  readonly seconds: number;
}

export interface SoapEndpointOptions {
  readonly port: ServicePort;
  readonly auth: ChannelAuthenticator;
  readonly logger: Logger;
  readonly clock?: () => Date;
  /** Told of every request once it is answered; must be cheap (it runs on every request) and not throw. */
  readonly onCompleted?: (call: CompletedCall) => void;
}

/** A fault decided here (not by a use case), with its catalogue code and the reason for the log. */
class RequestFault extends Error {
  constructor(readonly code: ErrorCode, readonly reason: string, readonly side?: FaultSide, readonly httpStatus = 500) {
    super(reason);
  }
}

interface LogEntry {
  operation?: string;
  channel?: string;
  reason?: string;
}

/** Every SOAPAction that names the operation (besides the empty one). */
function acceptedActions(contract: ServiceContract, op: OperationContract): ReadonlySet<string> {
  const accepted = new Set(op.soapActions);
  for (const first of ['/', ':']) {
    for (const second of ['/', ':']) {
      for (const name of [op.name, `${op.name}Request`]) accepted.add(`${contract.namespace}${first}${contract.portType}${second}${name}`);
    }
  }
  return accepted;
}

function sendPlain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Header, Body: checks the envelope's frame and returns the Header (if any) and the Body's one element. */
function openEnvelope(root: XmlElement, version: SoapVersion): { header: XmlElement | undefined; operation: XmlElement } {
  if (root.local !== 'Envelope' || (root.uri !== NS.soap11 && root.uri !== NS.soap12)) {
    if (root.local === 'Envelope') throw new RequestFault('VALIDATION_FAILED', 'envelope in a foreign namespace', 'VersionMismatch');
    throw new RequestFault('VALIDATION_FAILED', 'the document is not a SOAP envelope');
  }
  const ns = envelopeNs(version);
  if (root.uri !== ns) throw new RequestFault('VALIDATION_FAILED', 'envelope version differs from the content type', 'VersionMismatch');
  if (root.text.trim() !== '') throw new RequestFault('VALIDATION_FAILED', 'text in the envelope');
  const [first, second, ...rest] = root.children;
  const header = first?.uri === ns && first.local === 'Header' ? first : undefined;
  const body = header ? second : first;
  if (!body || body.uri !== ns || body.local !== 'Body' || (header ? rest.length > 0 : second !== undefined)) {
    throw new RequestFault('VALIDATION_FAILED', 'the envelope must hold an optional Header and one Body');
  }
  if (body.children.length !== 1 || body.text.trim() !== '') throw new RequestFault('VALIDATION_FAILED', 'the Body must hold exactly one element');
  for (const entry of header?.children ?? []) {
    if (entry.uri === NS.wsse && entry.local === 'Security') continue;
    const must = entry.attrs.get(`{${ns}}mustUnderstand`);
    if (must === '1' || must === 'true') throw new RequestFault('VALIDATION_FAILED', `header ${entry.local.slice(0, 64)} not understood`, 'MustUnderstand');
  }
  return { header, operation: body.children[0]! };
}

interface Endpoint {
  readonly contract: ServiceContract;
  readonly actions: ReadonlyMap<string, ReadonlySet<string>>;
  readonly clock: () => Date;
  readonly options: SoapEndpointOptions;
  readonly wider: TextBound | undefined;
}

/** The port's wider text bounds, for a field of one of its request elements in its namespace. */
function widerText(port: ServicePort): TextBound | undefined {
  const bounds = port.textCharsMax;
  if (bounds === undefined) return undefined;
  const ns = port.contract.namespace;
  return (node, parent) => (parent !== undefined && parent.uri === ns && node.uri === ns && Object.hasOwn(bounds, parent.local)
    ? bounds[parent.local]![node.local] : undefined);
}

/** The response envelope of a request that passed the HTTP checks; throws for every fault. */
async function answer(
  endpoint: Endpoint, body: Buffer, type: ContentType, soapAction: string | string[] | undefined, entry: LogEntry,
): Promise<string> {
  const { contract, actions, clock, options } = endpoint;
  let root: XmlElement;
  try {
    root = parseXml(decodeUtf8(body), endpoint.wider);
  } catch (error) {
    if (error instanceof XmlRejected) throw new RequestFault('VALIDATION_FAILED', error.reason, 'Client', 400);
    throw error;
  }
  const { header, operation: element } = openEnvelope(root, type.version);
  const op = element.uri === contract.namespace ? contract.byRequestElement.get(element.local) : undefined;
  if (op === undefined) throw new RequestFault('VALIDATION_FAILED', `unknown operation ${element.local.slice(0, 64)}`);
  entry.operation = op.name;
  for (const sent of [typeof soapAction === 'string' ? unquote(soapAction.trim()) : undefined, type.action]) {
    if (sent !== undefined && sent !== '' && !actions.get(op.name)!.has(sent)) {
      throw new RequestFault('VALIDATION_FAILED', `SOAPAction ${JSON.stringify(sent.slice(0, 100))} does not name ${op.name}`);
    }
  }
  const now = clock();
  const auth = await options.auth.authenticate(header, op.name, now.getTime());
  if (auth.channel !== undefined) entry.channel = auth.channel;
  if (!auth.ok) throw new RequestFault(auth.code, auth.reason);
  const handler = options.port.operations[op.name];
  if (handler === undefined) throw new RequestFault('UNAVAILABLE', 'not available in this version');
  const args = Args.read(element, op.request, contract.namespace);
  const content = await handler(args, { channel: auth.channel, now: businessTimestamp(now) });
  return envelope(type.version, writeElement(op.responseElement, contract.namespace, content));
}

export function soapEndpoint(options: SoapEndpointOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { contract } = options.port;
  const clock = options.clock ?? (() => new Date());
  const actions = new Map([...contract.operations.values()].map((op) => [op.name, acceptedActions(contract, op)]));
  const wider = widerText(options.port);
  const completed = (call: CompletedCall) => {
    try {
      options.onCompleted?.(call);
    } catch (error) {
      options.logger.error('soap completion hook failed', { service: contract.service, error });
    }
  };

  return async (req, res) => {
    const started = performance.now();
    const entry: LogEntry = {};
    let outcome = 'ok';
    const log = () => {
      // Built only when written: at level warn (a busy core's choice) a request costs no log line.
      if (options.logger.isInfoEnabled()) options.logger.info('soap request', {
        service: contract.service, operation: entry.operation ?? null, channel: entry.channel ?? null, outcome,
        ms: Math.round((performance.now() - started) * 10) / 10, ...(entry.reason ? { reason: entry.reason } : {}),
      });
      completed({
        service: contract.service, operation: entry.operation ?? null, channel: entry.channel ?? null, outcome, at: clock(),
        seconds: (performance.now() - started) / 1000,
      });
    };

    const type = parseContentType(req.headers['content-type']);
    const encoding = req.headers['content-encoding'];
    if (type === null || (encoding !== undefined && encoding.toLowerCase() !== 'identity')) {
      outcome = 'http-415';
      log();
      return sendPlain(res, 415, 'expected text/xml (SOAP 1.1) or application/soap+xml (SOAP 1.2), UTF-8, not encoded\n');
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    const read = declared > LIMITS.httpBodyBytesMax ? { ok: false as const } : await readBody(req, LIMITS.httpBodyBytesMax);
    if (!read.ok) {
      req.resume();
      outcome = 'http-413';
      log();
      return sendPlain(res, 413, `the request is larger than ${LIMITS.httpBodyBytesMax} bytes\n`, { Connection: 'close' });
    }

    const version = type.version;
    const correlationId = currentContext()?.correlationId ?? newCorrelationId();
    const sendFault = (code: ErrorCode, side: FaultSide | undefined, status: number) => {
      outcome = code;
      const xml = faultEnvelope(version, { side: side ?? ERRORS[code].fault, code, message: ERRORS[code].message, correlationId });
      res.writeHead(status, { 'Content-Type': contentTypeOf(version), 'Content-Length': Buffer.byteLength(xml) });
      res.end(xml);
    };

    try {
      const xml = await answer({ contract, actions, clock, options, wider }, read.body, type, req.headers.soapaction, entry);
      res.writeHead(200, { 'Content-Type': contentTypeOf(version), 'Content-Length': Buffer.byteLength(xml) });
      res.end(xml);
    } catch (error) {
      if (error instanceof RequestFault) {
        entry.reason = error.reason;
        sendFault(error.code, error.side, error.httpStatus);
      } else if (isGridbillError(error)) {
        entry.reason = error.message;
        // The channel was disabled after its credentials were cached: the same answer as any
        // authentication failure, and the credentials are read again for the next request.
        if (error.code === 'CHANNEL_NOT_FOUND') {
          options.auth.credentials.invalidate();
          sendFault('AUTH_FAILED', undefined, 500);
        } else {
          sendFault(error.code, undefined, 500);
        }
        if (error.code === 'INTERNAL' || ERRORS[error.code].fault === 'Server') {
          options.logger.error('soap operation failed', { service: contract.service, operation: entry.operation ?? null, error });
        }
      } else if (isDatabaseUnavailable(error)) {
        // A database down or failing over: the caller may retry (same transaction id), nothing was answered as done.
        entry.reason = 'database unavailable';
        options.logger.warn('soap operation refused: database unavailable', { service: contract.service, operation: entry.operation ?? null, error: (error as Error).message });
        sendFault('UNAVAILABLE', undefined, 500);
      } else {
        options.logger.error('soap operation failed', { service: contract.service, operation: entry.operation ?? null, error });
        sendFault('INTERNAL', undefined, 500);
      }
    }
    log();
  };
}
