// A bank's payment channel under load, for the crash tests: many connections each sending Pay
// requests with unique transaction ids, and on a connection failure (reset, refused, no answer)
// sending the SAME request again with the same id and a fresh UsernameToken, as a bank does.
// Some payments are "impatient": their channel gives up after the first failed attempt and leaves
// the question to QueryTransaction; those are what a crash may leave unacknowledged. Behind a
// gateway a lost core or database is answered with a server fault (5xx) rather than a cut
// connection: with `retryServerFaults` such an answer is a refusal, repeated like a failure.
// What the platform must then say about each payment is checked by storm-checks.ts.
//
// Everything here is bounded: one attempt waits at most ATTEMPT_MS, a payment is retried until the
// storm's deadline at most, and the storm stops taking new payments when told to.

import { Agent, request } from 'node:http';
import { childOf, parseXml, type XmlNode } from '../wsdl/xml-tree.ts';
import { CP, ENV, TYPES, operation, securityHeader, soapEnvelope } from '../soap/soap-client.ts';

const ATTEMPT_MS = 10_000;
const RETRY_PAUSE_MS = 30;

export interface Channel {
  readonly code: string;
  readonly password: string;
}

/** What one request got: an HTTP answer, or no answer at all (the connection failed). */
export type Outcome =
  | { readonly kind: 'answer'; readonly status: number; readonly body: XmlNode }
  | { readonly kind: 'not-soap'; readonly status: number; readonly text: string }
  | { readonly kind: 'connection'; readonly error: string };

/** A seeded generator (mulberry32): a failing run is repeated with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Sends one ChannelPaymentService operation; never rejects. */
export function soapCall(agent: Agent, url: string, channel: Channel, op: string, fields: Record<string, string>): Promise<Outcome> {
  const envelope = soapEnvelope('1.1', operation(op, fields), securityHeader(channel.code, channel.password));
  return new Promise((resolve) => {
    const req = request(`${url}/soap/ChannelPaymentService`, {
      method: 'POST', agent, timeout: ATTEMPT_MS,
      headers: {
        'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"${CP}#${op}"`, 'Content-Length': String(Buffer.byteLength(envelope)),
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (error) => resolve({ kind: 'connection', error: error.message }));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const text = Buffer.concat(chunks).toString('utf8');
        let body: XmlNode | undefined;
        try {
          body = childOf(parseXml(text, 'answer'), ENV['1.1'], 'Body')?.children[0];
        } catch {
          body = undefined;
        }
        resolve(body ? { kind: 'answer', status, body } : { kind: 'not-soap', status, text: text.slice(0, 200) });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${ATTEMPT_MS} ms`)));
    req.on('error', (error) => resolve({ kind: 'connection', error: (error as NodeJS.ErrnoException).code ?? error.message }));
    req.end(envelope);
  });
}

/** An element's content as one comparable string: names and texts, in document order. */
export function flatten(node: XmlNode): string {
  return node.children.length === 0 ? `${node.local}=${node.text}` : `${node.local}(${node.children.map(flatten).join(',')})`;
}

/** An outcome in one line, for assertion messages. */
export function describeOutcome(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'answer': return `${outcome.status} ${flatten(outcome.body).slice(0, 300)}`;
    case 'not-soap': return `${outcome.status} not SOAP: ${outcome.text}`;
    case 'connection': return `no answer: ${outcome.error}`;
  }
}

/** The GridbillFault code of a fault answer, undefined for any other answer. */
export function faultCodeOf(body: XmlNode): string | undefined {
  if (body.local !== 'Fault') return undefined;
  const detail = childOf(body, '', 'detail') ?? childOf(body, ENV['1.2'], 'Detail');
  const fault = detail && childOf(detail, TYPES, 'GridbillFault');
  return (fault && childOf(fault, TYPES, 'code')?.text) ?? 'NO_DETAIL';
}

export interface StormPayment {
  readonly txnId: string;
  readonly customerNo: string;
  readonly amount: string;
  readonly accountingDate: string;
  /** Retries until answered; otherwise the channel gives up after the first failed attempt. */
  readonly patient: boolean;
  attempts: number;
  connectionFailures: number;
  /** Server faults (5xx) answered while retryServerFaults is on: refusals, repeated. */
  serverFaults: number;
  /** The PayResponse's content (flatten), once one was received. */
  answer?: string;
  /** A fault answer: no payment in this storm should get one. */
  fault?: string;
  gaveUp: boolean;
}

export interface StormOptions {
  readonly url: string;
  readonly channel: Channel;
  readonly connections: number;
  readonly customerNos: readonly string[];
  readonly accountingDate: string;
  readonly random: () => number;
  readonly impatientShare: number;
  /** Retries stop at this instant (Date.now()); a patient payment unanswered by then is a failure. */
  readonly deadlineMs: number;
  /** A 5xx answer (a fault, or a balancer's own page) is a refusal to repeat, not a verdict. */
  readonly retryServerFaults?: boolean;
}

/** When one attempt ended, and whether it was acknowledged: the refusal windows are read from these. */
export interface StormAttempt {
  readonly at: number;
  readonly ok: boolean;
}

/**
 * The longest run of refused attempts that starts at or after `from`: from its first refusal to
 * the next acknowledgement (ms), with the number of refused attempts in it; null when none failed.
 */
export function refusalWindow(attempts: readonly StormAttempt[], from: number): { ms: number; refused: number; firstAt: number } | null {
  let longest: { ms: number; refused: number; firstAt: number } | null = null;
  let first: number | null = null;
  let refused = 0;
  for (const a of [...attempts].filter((x) => x.at >= from).sort((x, y) => x.at - y.at)) {
    if (!a.ok) {
      first ??= a.at;
      refused += 1;
    } else if (first !== null) {
      if (longest === null || a.at - first > longest.ms) longest = { ms: a.at - first, refused, firstAt: first };
      first = null;
      refused = 0;
    }
  }
  return longest;
}

export class PayStorm {
  readonly payments: StormPayment[] = [];
  readonly attempts: StormAttempt[] = [];
  /** Refused attempts by kind (a connection error's code, or status and fault code): for the report. */
  readonly refusals = new Map<string, number>();
  acknowledged = 0;
  private stopping = false;
  private readonly agent: Agent;
  private readonly workers: Promise<void>[];
  private readonly ackWaiters: { count: number; resolve: () => void }[] = [];

  constructor(private readonly options: StormOptions) {
    this.agent = new Agent({ keepAlive: true, maxSockets: options.connections });
    this.workers = Array.from({ length: options.connections }, (_, i) => this.work(i));
  }

  /** Resolves once `count` payments in all have been acknowledged. */
  acknowledgedAtLeast(count: number): Promise<void> {
    if (this.acknowledged >= count) return Promise.resolve();
    return new Promise((resolve) => this.ackWaiters.push({ count, resolve }));
  }

  /** No new payments; resolves when every started one is answered, given up or out of time. */
  async finish(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.workers);
    this.agent.destroy();
  }

  private newPayment(worker: number): StormPayment {
    const { random, customerNos } = this.options;
    const payment: StormPayment = {
      txnId: `CR${worker}-${this.payments.length}`,
      customerNo: customerNos[Math.floor(random() * customerNos.length)]!,
      amount: (1 + Math.floor(random() * 30_000) / 100).toFixed(2),
      accountingDate: this.options.accountingDate,
      patient: random() >= this.options.impatientShare,
      attempts: 0, connectionFailures: 0, serverFaults: 0, gaveUp: false,
    };
    this.payments.push(payment);
    return payment;
  }

  private async work(worker: number): Promise<void> {
    while (!this.stopping && Date.now() < this.options.deadlineMs) await this.settle(this.newPayment(worker));
  }

  private async settle(p: StormPayment): Promise<void> {
    const fields = { channelTxnId: p.txnId, customerNo: p.customerNo, amount: p.amount, accountingDate: p.accountingDate };
    while (Date.now() < this.options.deadlineMs) {
      p.attempts += 1;
      const outcome = await soapCall(this.agent, this.options.url, this.options.channel, 'Pay', fields);
      const refused = outcome.kind === 'connection' || (this.options.retryServerFaults === true && outcome.status >= 500);
      this.attempts.push({ at: Date.now(), ok: !refused && outcome.kind === 'answer' && outcome.status === 200 });
      if (!refused) {
        this.answered(p, outcome);
        return;
      }
      const kind = outcome.kind === 'connection' ? outcome.error
        : `${outcome.status} ${outcome.kind === 'answer' ? faultCodeOf(outcome.body) ?? outcome.body.local : 'not SOAP'}`;
      this.refusals.set(kind, (this.refusals.get(kind) ?? 0) + 1);
      if (outcome.kind === 'connection') p.connectionFailures += 1;
      else p.serverFaults += 1;
      if (!p.patient) {
        p.gaveUp = true;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS * (0.5 + this.options.random())));
    }
  }

  private answered(p: StormPayment, outcome: Exclude<Outcome, { kind: 'connection' }>): void {
    if (outcome.kind === 'not-soap') p.fault = `${outcome.status} ${outcome.text}`;
    else if (outcome.status === 200 && outcome.body.local === 'PayResponse') this.acknowledge(p, flatten(outcome.body));
    else p.fault = `${outcome.status} ${faultCodeOf(outcome.body) ?? outcome.body.local}`;
  }

  private acknowledge(p: StormPayment, answer: string): void {
    p.answer = answer;
    this.acknowledged += 1;
    for (const waiter of this.ackWaiters.filter((w) => w.count <= this.acknowledged)) {
      this.ackWaiters.splice(this.ackWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }
}
