// The outbound SOAP client of the meter head-end's MeterControlService (wsdl/MeterControlService.wsdl),
// SOAP 1.1, on node:http with kept-alive sockets, modelled on bank-gateway-client.ts.
//
// Two faces. The typed one (disconnect, reconnect, getSwitchState) ends every call in a value —
// answer, fault, or no answer — never an exception, for callers that look at the outcome. The
// MeterControl face the dispatcher uses (usecases/meter-control.ts) turns anything but an answer
// into a thrown HeadEndUnavailable: the dispatcher counts it as a failed attempt and sends the same
// commandId again later, which the head-end answers with its first answer (never a second switch).
//
// Bounds, from src/limits.ts and passed explicitly: the whole call (connect, send, wait, read) is
// cut at headEndCallTimeoutMs, the answer at headEndAnswerBytesMax, the sockets at
// headEndSocketsMax. The answer is read with the bounded, namespace-aware reader (soap-xml.ts) and
// checked value by value: an answer that is not what the contract says is `malformed`.
//
// The request's correlation id travels in X-Correlation-Id. The log names the operation, command,
// meter and outcome; the command's reason (which may quote a customer's balance) is never logged.

import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { postSoap, type SoapPostResult } from '../contract/soap-post.ts';
import { LIMITS } from '../limits.ts';
import { outboundHeaders } from '../ops/context.ts';
import type { Logger } from '../ops/logger.ts';
import type { ControlCommandKind } from '../domain/estimation.ts';
import type { CommandAnswer, MeterControl, SwitchState } from '../usecases/meter-control.ts';
import { NS, childElements, decodeUtf8, envelope, parseXml, writeElement, XmlRejected, type XmlElement, type XmlFields } from './soap-xml.ts';

export const METER_NS = 'urn:gridbill:meter-control:v1';

export interface MeterControlClientOptions {
  /** The endpoint, e.g. http://127.0.0.1:8500/soap/MeterControlService. */
  readonly url: string;
  readonly logger?: Logger;
  /** LIMITS.headEndCallTimeoutMs unless given (tests pass less). */
  readonly timeoutMs?: number;
}

export interface SwitchOrder {
  readonly commandId: string;
  readonly meterNo: string;
  readonly reason: string;
}

export interface CommandResult extends CommandAnswer {
  readonly commandId: string;
  readonly meterNo: string;
  readonly at: string;
}

export interface SwitchStateAnswer {
  readonly meterNo: string;
  readonly switchState: SwitchState;
  readonly since?: string;
  readonly lastCommandId?: string;
}

export type HeadEndResult<T> =
  | { readonly kind: 'answer'; readonly answer: T }
  | { readonly kind: 'fault'; readonly side: 'Client' | 'Server'; readonly code: string; readonly message: string }
  | { readonly kind: 'no-answer'; readonly reason: 'timeout' | 'unreachable' | 'malformed'; readonly detail: string };

/** What the MeterControl face throws for a call without an answer: the dispatcher retries it. */
export class HeadEndUnavailable extends Error {}

type Raw = SoapPostResult;

class Malformed extends Error {}

const ACKS: readonly CommandAnswer['ack'][] = ['ACCEPTED', 'DONE', 'REJECTED'];
const STATES: readonly SwitchState[] = ['CONNECTED', 'DISCONNECTED', 'UNKNOWN'];

class Fields {
  constructor(private readonly element: XmlElement) {}

  optional(name: string): string | undefined {
    const found = childElements(this.element, METER_NS, name);
    if (found.length > 1) throw new Malformed(`${name} repeated`);
    return found[0]?.text.trim();
  }

  one(name: string): string {
    const value = this.optional(name);
    if (value === undefined) throw new Malformed(`${name} missing`);
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.one(name);
    if (!(allowed as readonly string[]).includes(value)) throw new Malformed(`unknown ${name}`);
    return value as T;
  }
}

function withOptional<T extends object>(base: T, extra: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) out[key] = value;
  return out as T;
}

function readCommand(f: Fields): CommandResult {
  return withOptional({
    commandId: f.one('commandId'), meterNo: f.one('meterNo'), ack: f.oneOf('ack', ACKS), switchState: f.oneOf('switchState', STATES), at: f.one('at'),
  }, { message: f.optional('message') });
}

function readSwitchState(f: Fields): SwitchStateAnswer {
  return withOptional({ meterNo: f.one('meterNo'), switchState: f.oneOf('switchState', STATES) }, {
    since: f.optional('since'), lastCommandId: f.optional('lastCommandId'),
  });
}

function bodyElement(body: Buffer): XmlElement {
  const root = parseXml(decodeUtf8(body));
  if (root.uri !== NS.soap11 || root.local !== 'Envelope') throw new Malformed('not a SOAP 1.1 envelope');
  const soapBody = root.children.find((c) => c.uri === NS.soap11 && c.local === 'Body');
  if (soapBody === undefined || soapBody.children.length !== 1) throw new Malformed('no single element in the Body');
  return soapBody.children[0]!;
}

function faultOf(element: XmlElement): HeadEndResult<never> {
  const faultcode = element.children.find((c) => c.uri === '' && c.local === 'faultcode')?.text.trim() ?? '';
  const detail = element.children.find((c) => c.uri === '' && c.local === 'detail');
  const gridbill = detail === undefined ? undefined : childElements(detail, NS.types, 'GridbillFault')[0];
  const text = (local: string) => (gridbill === undefined ? undefined : childElements(gridbill, NS.types, local)[0]?.text.trim());
  const side = /(^|:)Client$/.test(faultcode) ? 'Client' : 'Server';
  return { kind: 'fault', side, code: text('code') ?? 'UNKNOWN', message: (text('message') ?? '').slice(0, 500) };
}

function describe(result: HeadEndResult<unknown>): string {
  return result.kind === 'fault' ? `fault ${result.code}` : result.kind === 'no-answer' ? `no answer: ${result.reason}` : 'answered';
}

export class MeterControlClient implements MeterControl {
  private readonly agent: Agent;
  private readonly url: URL;
  private readonly timeoutMs: number;

  constructor(private readonly options: MeterControlClientOptions) {
    this.url = new URL(options.url);
    if (this.url.protocol !== 'http:') throw new RangeError(`head-end URL must be http: ${this.url.protocol}`);
    this.timeoutMs = options.timeoutMs ?? LIMITS.headEndCallTimeoutMs;
    this.agent = new Agent({ keepAlive: true, maxSockets: LIMITS.headEndSocketsMax, keepAliveMsecs: LIMITS.httpKeepAliveTimeoutMs });
  }

  disconnect(order: SwitchOrder): Promise<HeadEndResult<CommandResult>> {
    return this.command('Disconnect', order);
  }

  reconnect(order: SwitchOrder): Promise<HeadEndResult<CommandResult>> {
    return this.command('Reconnect', order);
  }

  async getSwitchState(meterNo: string): Promise<HeadEndResult<SwitchStateAnswer>> {
    const { result, ms } = await this.call('GetSwitchState', [['meterNo', meterNo]], readSwitchState, (a) => a.meterNo === meterNo);
    this.log('GetSwitchState', { meterNo }, result, ms, result.kind === 'answer' ? result.answer.switchState : undefined);
    return result;
  }

  // ── MeterControl, for the dispatcher ─────────────────────────────────────────────────────────

  async send(command: { readonly commandId: string; readonly meterNo: string; readonly kind: ControlCommandKind; readonly reason: string }): Promise<CommandAnswer> {
    const order = { commandId: command.commandId, meterNo: command.meterNo, reason: command.reason };
    const result = command.kind === 'DISCONNECT' ? await this.disconnect(order) : await this.reconnect(order);
    if (result.kind !== 'answer') throw new HeadEndUnavailable(`head-end ${describe(result)}${result.kind === 'fault' ? ` ${result.message}` : ` ${result.detail}`}`.slice(0, 200));
    const { ack, switchState, message } = result.answer;
    return message === undefined ? { ack, switchState } : { ack, switchState, message };
  }

  async switchState(meterNo: string): Promise<SwitchState> {
    const result = await this.getSwitchState(meterNo);
    if (result.kind !== 'answer') throw new HeadEndUnavailable(`head-end ${describe(result)}`);
    return result.answer.switchState;
  }

  /** Closes the kept-alive sockets (at shutdown). */
  close(): void {
    this.agent.destroy();
  }

  private async command(operation: 'Disconnect' | 'Reconnect', order: SwitchOrder): Promise<HeadEndResult<CommandResult>> {
    const { result, ms } = await this.call(operation, [['commandId', order.commandId], ['meterNo', order.meterNo], ['reason', order.reason]], readCommand,
      (a) => a.commandId === order.commandId && a.meterNo === order.meterNo);
    this.log(operation, { commandId: order.commandId, meterNo: order.meterNo }, result, ms, result.kind === 'answer' ? result.answer.ack : undefined);
    return result;
  }

  private log(operation: string, subject: Record<string, string>, result: HeadEndResult<unknown>, ms: number, outcome: string | undefined): void {
    const entry = { operation, ...subject, outcome: outcome ?? describe(result), ms };
    if (result.kind === 'answer') this.options.logger?.info('head-end call', entry);
    else this.options.logger?.warn('head-end call', { ...entry, detail: result.kind === 'fault' ? result.message : result.detail });
  }

  private async call<T>(
    operation: string, fields: XmlFields, read: (f: Fields) => T, matches: (answer: T) => boolean,
  ): Promise<{ readonly result: HeadEndResult<T>; readonly ms: number }> {
    const started = performance.now();
    const raw = await postSoap({
      url: this.url, agent: this.agent, soapAction: `${METER_NS}#${operation}`, xml: envelope('1.1', writeElement(operation, METER_NS, fields)),
      timeoutMs: this.timeoutMs, answerBytesMax: LIMITS.headEndAnswerBytesMax, headers: outboundHeaders(),
    });
    return { result: this.interpret(raw, `${operation}Response`, read, matches), ms: Math.round(performance.now() - started) };
  }

  private interpret<T>(raw: Raw, responseElement: string, read: (f: Fields) => T, matches: (answer: T) => boolean): HeadEndResult<T> {
    if (raw.kind === 'no-answer') return raw;
    try {
      const element = bodyElement(raw.body);
      if (element.uri === NS.soap11 && element.local === 'Fault') return faultOf(element);
      if (raw.status !== 200) throw new Malformed(`HTTP ${raw.status} without a fault`);
      if (element.uri !== METER_NS || element.local !== responseElement) throw new Malformed(`expected ${responseElement}`);
      const answer = read(new Fields(element));
      if (!matches(answer)) throw new Malformed('the answer names another command or meter');
      return { kind: 'answer', answer };
    } catch (error) {
      if (error instanceof Malformed || error instanceof XmlRejected) return { kind: 'no-answer', reason: 'malformed', detail: error.message };
      throw error;
    }
  }
}
