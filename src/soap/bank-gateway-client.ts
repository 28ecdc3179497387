// The outbound SOAP client of the bank's BankGatewayService (wsdl/BankGatewayService.wsdl), SOAP
// 1.1, on node:http with kept-alive sockets. It implements the use cases' BankGateway: every call
// ends in a typed value (answer, fault, or no answer), never in an exception, because after a Debit
// without an answer the caller has to decide what it means (usecases/bank-gateway.ts).
//
// Bounds, from src/limits.ts and passed explicitly: the whole call (connect, send, wait, read) is
// cut at bankCallTimeoutMs, the answer at bankAnswerBytesMax, the sockets at bankSocketsMax. The
// answer is read with the same bounded, namespace-aware reader as requests (soap-xml.ts): values
// stay strings until they are checked here (money with an exact decimal pattern, never Number()),
// and an answer that is not what the contract says is `malformed`, never half-believed.
//
// The request's correlation id travels in X-Correlation-Id. Account numbers appear in logs only
// masked; the body, which holds the account, is never logged.

import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { postSoap, type SoapPostResult } from '../contract/soap-post.ts';
import { formatYuan, parseYuan } from '../domain/money.ts';
import { LIMITS } from '../limits.ts';
import { outboundHeaders } from '../ops/context.ts';
import type { Logger } from '../ops/logger.ts';
import { maskAccount } from '../ops/mask.ts';
import {
  BANK_FAILURES, type BalanceAnswer, type BalanceQuery, type BankFailure, type BankGateway, type BankOutcome, type BankResult,
  type DebitAnswer, type DebitOrder, type ReverseDebitAnswer, type ReverseDebitOrder,
} from '../usecases/bank-gateway.ts';
import { NS, childElements, decodeUtf8, envelope, parseXml, writeElement, XmlRejected, type XmlElement, type XmlFields } from './soap-xml.ts';

export const BANK_NS = 'urn:gridbill:bank-gateway:v1';

export interface BankGatewayClientOptions {
  /** The endpoint, e.g. http://127.0.0.1:8400/soap/BankGatewayService. */
  readonly url: string;
  readonly logger?: Logger;
  /** LIMITS.bankCallTimeoutMs unless given (tests pass less). */
  readonly timeoutMs?: number;
}

type Raw = SoapPostResult;

/** A value of the answer that is not what the contract allows. */
class Malformed extends Error {}

const MONEY = /^-?\d{1,13}(\.\d{1,2})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const OUTCOMES: readonly BankOutcome[] = ['SUCCESS', 'FAILED', 'UNKNOWN'];

class Fields {
  constructor(private readonly element: XmlElement) {}

  optional(name: string): string | undefined {
    const found = childElements(this.element, BANK_NS, name);
    if (found.length > 1) throw new Malformed(`${name} repeated`);
    return found[0]?.text.trim();
  }

  one(name: string): string {
    const value = this.optional(name);
    if (value === undefined) throw new Malformed(`${name} missing`);
    return value;
  }

  fen(name: string): number | undefined {
    const value = this.optional(name);
    if (value === undefined) return undefined;
    if (!MONEY.test(value)) throw new Malformed(`${name} is not an amount`);
    return parseYuan(value);
  }

  outcome(): BankOutcome {
    const value = this.one('outcome');
    if (!(OUTCOMES as readonly string[]).includes(value)) throw new Malformed('unknown outcome');
    return value as BankOutcome;
  }

  failure(): BankFailure | undefined {
    const value = this.optional('failure');
    if (value !== undefined && !(BANK_FAILURES as readonly string[]).includes(value)) throw new Malformed('unknown failure');
    return value as BankFailure | undefined;
  }

  boolean(name: string): boolean {
    const value = this.one(name);
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    throw new Malformed(`${name} is not a boolean`);
  }
}

function withOptional<T extends object>(base: T, extra: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) out[key] = value;
  return out as T;
}

function readBalance(f: Fields): BalanceAnswer {
  return withOptional({ requestId: f.one('requestId'), sufficient: f.boolean('sufficient') }, {
    availableFen: f.fen('available'), failure: f.failure(),
  });
}

function readDebit(f: Fields): DebitAnswer {
  const accountingDate = f.optional('accountingDate');
  if (accountingDate !== undefined && !DATE.test(accountingDate)) throw new Malformed('accountingDate is not a date');
  const amountFen = f.fen('amount');
  if (amountFen === undefined) throw new Malformed('amount missing');
  return withOptional({ requestId: f.one('requestId'), outcome: f.outcome(), amountFen, processedAt: f.one('processedAt') }, {
    failure: f.failure(), bankTxnId: f.optional('bankTxnId'), accountingDate,
  });
}

function readReverse(f: Fields): ReverseDebitAnswer {
  return withOptional({
    requestId: f.one('requestId'), originalRequestId: f.one('originalRequestId'), outcome: f.outcome(), processedAt: f.one('processedAt'),
  }, { failure: f.failure(), bankTxnId: f.optional('bankTxnId') });
}

/** The Body's one element of a SOAP 1.1 answer. */
function bodyElement(body: Buffer): XmlElement {
  const root = parseXml(decodeUtf8(body));
  if (root.uri !== NS.soap11 || root.local !== 'Envelope') throw new Malformed('not a SOAP 1.1 envelope');
  const soapBody = root.children.find((c) => c.uri === NS.soap11 && c.local === 'Body');
  if (soapBody === undefined || soapBody.children.length !== 1) throw new Malformed('no single element in the Body');
  return soapBody.children[0]!;
}

function faultOf(element: XmlElement): BankResult<never> {
  const faultcode = element.children.find((c) => c.uri === '' && c.local === 'faultcode')?.text.trim() ?? '';
  const detail = element.children.find((c) => c.uri === '' && c.local === 'detail');
  const gridbill = detail === undefined ? undefined : childElements(detail, NS.types, 'GridbillFault')[0];
  const text = (local: string) => (gridbill === undefined ? undefined : childElements(gridbill, NS.types, local)[0]?.text.trim());
  const side = /(^|:)Client$/.test(faultcode) ? 'Client' : 'Server';
  return { kind: 'fault', side, code: text('code') ?? 'UNKNOWN', message: (text('message') ?? '').slice(0, 500) };
}

export class BankGatewayClient implements BankGateway {
  private readonly agent: Agent;
  private readonly url: URL;
  private readonly timeoutMs: number;

  constructor(private readonly options: BankGatewayClientOptions) {
    this.url = new URL(options.url);
    if (this.url.protocol !== 'http:') throw new RangeError(`bank URL must be http: ${this.url.protocol}`);
    this.timeoutMs = options.timeoutMs ?? LIMITS.bankCallTimeoutMs;
    this.agent = new Agent({ keepAlive: true, maxSockets: LIMITS.bankSocketsMax, keepAliveMsecs: LIMITS.httpKeepAliveTimeoutMs });
  }

  checkBalance(query: BalanceQuery): Promise<BankResult<BalanceAnswer>> {
    return this.call('CheckBalance', query.requestId, query.bankAccount, [
      ['requestId', query.requestId], ['bankAccount', query.bankAccount], ['amount', formatYuan(query.amountFen)],
    ], readBalance);
  }

  debit(order: DebitOrder): Promise<BankResult<DebitAnswer>> {
    return this.call('Debit', order.requestId, order.bankAccount, [
      ['requestId', order.requestId], ['bankAccount', order.bankAccount], ['amount', formatYuan(order.amountFen)], ['memo', order.memo],
    ], readDebit);
  }

  reverseDebit(order: ReverseDebitOrder): Promise<BankResult<ReverseDebitAnswer>> {
    return this.call('ReverseDebit', order.requestId, undefined, [
      ['requestId', order.requestId], ['originalRequestId', order.originalRequestId], ['amount', formatYuan(order.amountFen)],
    ], readReverse);
  }

  /** Closes the kept-alive sockets (at shutdown). */
  close(): void {
    this.agent.destroy();
  }

  private async call<T extends { readonly requestId: string }>(
    operation: string, requestId: string, bankAccount: string | undefined, fields: XmlFields, read: (f: Fields) => T,
  ): Promise<BankResult<T>> {
    const started = performance.now();
    const raw = await postSoap({
      url: this.url, agent: this.agent, soapAction: `${BANK_NS}#${operation}`, xml: envelope('1.1', writeElement(operation, BANK_NS, fields)),
      timeoutMs: this.timeoutMs, answerBytesMax: LIMITS.bankAnswerBytesMax, headers: outboundHeaders(),
    });
    const result = this.interpret(raw, `${operation}Response`, requestId, read);
    const outcome = result.kind === 'answer' ? ((result.answer as { outcome?: string }).outcome ?? 'answered')
      : result.kind === 'fault' ? `fault ${result.code}` : `no answer: ${result.reason}`;
    const entry = { operation, requestId, outcome, ms: Math.round(performance.now() - started), ...(bankAccount ? { bankAccount: maskAccount(bankAccount) } : {}) };
    if (result.kind === 'answer') this.options.logger?.info('bank call', entry);
    else this.options.logger?.warn('bank call', { ...entry, detail: result.kind === 'fault' ? result.message : result.detail });
    return result;
  }

  private interpret<T extends { readonly requestId: string }>(raw: Raw, responseElement: string, requestId: string, read: (f: Fields) => T): BankResult<T> {
    if (raw.kind === 'no-answer') return raw;
    try {
      const element = bodyElement(raw.body);
      if (element.uri === NS.soap11 && element.local === 'Fault') return faultOf(element);
      if (raw.status !== 200) throw new Malformed(`HTTP ${raw.status} without a fault`);
      if (element.uri !== BANK_NS || element.local !== responseElement) throw new Malformed(`expected ${responseElement}`);
      const answer = read(new Fields(element));
      if (answer.requestId !== requestId) throw new Malformed('the answer names another requestId');
      return { kind: 'answer', answer };
    } catch (error) {
      if (error instanceof Malformed || error instanceof XmlRejected) return { kind: 'no-answer', reason: 'malformed', detail: error.message };
      throw error;
    }
  }
}
