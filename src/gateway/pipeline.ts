// The isolation gateway's pipeline: a fixed, named list of stages run in order for every request.
// A stage returns a verdict; the first denial ends the request with that stage's catalogued error,
// and every request — denied or answered — leaves one audit line. There is no other path to the
// core: `forward` is reached only after every check before it passed, and it sends a message
// written from the validated values, never the bytes that arrived.
//
// The policy is read by the stages at the moment they run, so a reload (SIGHUP) applies from the
// next stage on and no connection is dropped; the nonce cache, rate buckets and day totals are
// kept across reloads.

import { performance } from 'node:perf_hooks';
import { ERRORS } from '../errors.ts';
import { NonceCache } from '../contract/ws-security.ts';
import type { ServiceContract } from '../contract/service-contract.ts';
import type { Logger } from '../ops/logger.ts';
import { auditRecord, type AuditRecord, type Quarantine } from './audit.ts';
import { recordGatewayVerdict } from '../ops/metrics.ts';
import { authenticateStage, authoriseStage, type VerifySignature } from './authenticate.ts';
import { behaviourStage, behaviourState, type BehaviourState } from './behaviour.ts';
import type { Exchange, GatewayRequest } from './exchange.ts';
import { forwardStage, type CoreForwarder } from './forward.ts';
import { acceptedActions, envelopeStage, parseStage, routeStage, transportStage, validateStage } from './message-stages.ts';
import type { ExternalService, GatewayPolicy } from './policy.ts';
import { contentTypeOf, faultXml, respondStage } from './respond.ts';
import { STAGES, deny, type Denial, type StageName, type Verdict } from './verdict.ts';

export interface PipelineOptions {
  readonly policy: GatewayPolicy;
  readonly contracts: ReadonlyMap<ExternalService, ServiceContract>;
  readonly forwarder: CoreForwarder;
  readonly logger: Logger;
  readonly clock?: () => number;
  /** Dev mode without TLS: plain HTTP is answered for loopback callers only. */
  readonly plainHttpLoopbackOnly?: boolean;
  /** The X.509 signature check of the authenticate stage (src/gateway/x509-signature.ts). */
  readonly verifySignature?: VerifySignature;
  readonly quarantine?: Quarantine;
  /** Where audit lines go; by default the logger (`gateway verdict` at info). */
  readonly audit?: (record: AuditRecord, correlationId: string) => void;
}

export interface GatewayAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly record: AuditRecord;
  readonly denial?: Denial;
}

type Stage = (x: Exchange) => Verdict | Promise<Verdict>;

/**
 * Whether the day's amount counted for this request may be given back: only when the core surely
 * did not take it — refused before forward, not sent (breaker open), or answered with a fault. A
 * timeout or an answer we refused may hide a posted payment, so those stay counted.
 */
function coreTookNothing(denial: Denial | undefined, x: Exchange): boolean {
  if (denial === undefined) return x.answer?.faultCode !== undefined;
  return STAGES.indexOf(denial.stage) < STAGES.indexOf('forward') || denial.reason === 'breaker-open';
}

const PLAIN_STATUSES = new Set([403, 405, 413, 415]);

export class GatewayPipeline {
  private current: GatewayPolicy;
  readonly nonces = new NonceCache();
  readonly behaviour: BehaviourState = behaviourState();
  private readonly stages: ReadonlyArray<readonly [StageName, Stage]>;
  private readonly clock: () => number;

  constructor(private readonly options: PipelineOptions) {
    this.current = options.policy;
    this.clock = options.clock ?? Date.now;
    const actions = new Map<string, ReadonlyMap<string, ReadonlySet<string>>>();
    for (const [service, contract] of options.contracts) {
      actions.set(service, new Map([...contract.operations.values()].map((op) => [op.name, acceptedActions(contract, op)])));
    }
    const table: Readonly<Record<StageName, Stage>> = {
      transport: (x) => transportStage(x, options.plainHttpLoopbackOnly ?? false),
      parse: parseStage,
      envelope: (x) => envelopeStage(x, this.current.allowedHeaders),
      route: (x) => routeStage(x, actions.get(x.request.service)!),
      authenticate: (x) => authenticateStage(x, {
        policy: this.current, nonces: this.nonces, nowMs: this.clock(),
        ...(options.verifySignature ? { verifySignature: options.verifySignature } : {}),
      }),
      authorise: (x) => authoriseStage(x, this.current),
      validate: validateStage,
      behaviour: (x) => behaviourStage(x, this.behaviour, this.clock()),
      forward: (x) => forwardStage(x, options.forwarder),
      respond: respondStage,
    };
    this.stages = STAGES.map((name) => [name, table[name]] as const);
  }

  get policy(): GatewayPolicy {
    return this.current;
  }

  /** Replaces the policy between two stages of in-flight requests; nothing else is reset. */
  setPolicy(policy: GatewayPolicy): void {
    this.current = policy;
  }

  async handle(request: GatewayRequest): Promise<GatewayAnswer> {
    const contract = this.options.contracts.get(request.service)!;
    const x: Exchange = { request, contract, startedMs: performance.now() };
    const denial = await this.run(x);
    if (coreTookNothing(denial, x)) x.release?.();
    const answer = denial ? this.denied(x, denial) : { status: x.answer!.status, contentType: contentTypeOf(x.version!), body: x.answer!.xml };
    const record = auditRecord(x, denial, answer.status, Buffer.byteLength(answer.body), performance.now() - x.startedMs);
    recordGatewayVerdict(record);
    if (this.options.audit) this.options.audit(record, request.correlationId);
    else this.options.logger.info('gateway verdict', { ...record });
    if (denial !== undefined) this.options.quarantine?.offer(x, record);
    return { ...answer, record, ...(denial ? { denial } : {}) };
  }

  private async run(x: Exchange): Promise<Denial | undefined> {
    for (const [name, stage] of this.stages) {
      let verdict: Verdict;
      try {
        verdict = await stage(x);
      } catch (error) {
        // A stage that throws is a bug of ours, never the caller's: logged, answered as INTERNAL.
        this.options.logger.error('gateway stage failed', { stage: name, error });
        verdict = deny(name, 'INTERNAL', 'stage-exception');
      }
      if (!verdict.ok) return verdict.denial;
    }
    return undefined;
  }

  private denied(x: Exchange, denial: Denial): { status: number; contentType: string; body: string } {
    if (x.version === undefined || PLAIN_STATUSES.has(denial.httpStatus)) {
      return { status: denial.httpStatus, contentType: 'text/plain; charset=utf-8', body: `${denial.code}: ${ERRORS[denial.code].message}\n` };
    }
    return { status: denial.httpStatus, contentType: contentTypeOf(x.version), body: faultXml(x.version, denial.code, denial.side, x.request.correlationId) };
  }
}
