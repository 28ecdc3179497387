// The core's HTTP entry point: health and readiness, the published contracts (`/soap/<Service>?wsdl`,
// `/soap/common.xsd`) and the SOAP endpoints (`POST /soap/<Service>`), on a plain node:http handler.

import type { Handler } from '../ops/http-server.ts';
import { sendJson } from '../ops/http-server.ts';
import { healthHandler, type ReadinessCheck } from '../ops/health.ts';
import { metricsHandler, recordSoapCall } from '../ops/metrics.ts';
import type { Logger } from '../ops/logger.ts';
import type { SecretBox } from '../ops/secret-box.ts';
import type { Store } from '../store/database.ts';
import { enabledCredentials } from '../usecases/manage-channels.ts';
import { ChannelActivity } from '../usecases/channel-activity.ts';
import { businessDate } from '../clock.ts';
import { LIMITS } from '../limits.ts';
import { NO_BANK, type BankGateway } from '../usecases/bank-gateway.ts';
import { ensureOnlineBankingChannel } from '../usecases/pay-online.ts';
import { sessionCustomer } from '../usecases/customer-session.ts';
import { payOnlineOperation } from './pay-online-operation.ts';
import { SERVED_SERVICES, type ServiceName } from '../contract/operations.ts';
import { VERSION } from '../version.ts';
import { ChannelAuthenticator, CREDENTIALS_TTL_MS, CredentialCache } from './channel-auth.ts';
import { channelPaymentPort } from './channel-payment-port.ts';
import { customerPort } from './customer-port.ts';
import { billingAdminPort } from './billing-admin-port.ts';
import { operationsPort } from './operations-port.ts';
import { loadServiceContract, type ServiceContract } from './service-contract.ts';
import { soapEndpoint, type ServicePort } from './soap-endpoint.ts';
import { requestOrigin, WsdlDocuments } from './wsdl-documents.ts';

export interface CoreAppOptions {
  readonly checks: Readonly<Record<string, ReadinessCheck>>;
  readonly store: Store;
  /** Opens the channels' sealed passwords; called on the first authenticated request (the master key is read then). */
  readonly secrets: () => SecretBox;
  readonly logger: Logger;
  /** How long channel credentials are cached (CREDENTIALS_TTL_MS by default; tests pass less). */
  readonly credentialsTtlMs?: number;
  readonly clock?: () => Date;
  /** The bank online payments are debited through; none: PayOnline answers BANK_UNAVAILABLE. */
  readonly bank?: BankGateway;
}

const SOAP_PATH = /^\/soap\/([A-Za-z]{1,64})$/;
const XML = 'text/xml; charset=utf-8';

function sendText(res: Parameters<Handler>[1], status: number, contentType: string, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** What a service's port is built from: the store, the clock and the outside parties the core calls. */
export interface PortDependencies {
  readonly store: Store;
  readonly clock: () => Date;
  readonly bank: BankGateway;
  readonly logger: Logger;
  /** Every SOAP call's channel and outcome, counted for OperationsService. */
  readonly activity: ChannelActivity;
}

type PortFactory = (contract: ServiceContract, deps: PortDependencies) => ServicePort;

/** The services the core answers, one port each; a served service missing here answers 404. */
const PORTS: ReadonlyArray<readonly [ServiceName, PortFactory]> = [
  ['ChannelPaymentService', (contract, deps) => channelPaymentPort(contract, deps.store)],
  ['CustomerService', (contract, deps) => customerPort(contract, deps.store, {
    PayOnline: payOnlineOperation(deps.store, deps.bank, (token, now) => sessionCustomer(deps.store, token, now)),
  })],
  ['BillingAdminService', (contract, deps) => billingAdminPort(contract, deps)],
  ['OperationsService', (contract, deps) => operationsPort(contract, deps)],
];

/**
 * The channel call counters of this core, written every LIMITS.channelActivityFlushMs. The timer
 * does not keep the process alive; a core that stops loses at most one interval of counts.
 */
function channelActivity(store: Store, logger: Logger): ChannelActivity {
  const activity = new ChannelActivity(store);
  setInterval(() => {
    activity.flush().catch((error: unknown) => logger.warn('channel activity not written; kept for the next flush', { error }));
  }, LIMITS.channelActivityFlushMs).unref();
  return activity;
}

export async function coreApp(options: CoreAppOptions): Promise<Handler> {
  const health = healthHandler({ role: 'core', version: VERSION, checks: options.checks });
  const documents = new WsdlDocuments(SERVED_SERVICES);
  const credentials = new CredentialCache(() => enabledCredentials(options.store, options.secrets()), options.credentialsTtlMs ?? CREDENTIALS_TTL_MS);
  const auth = new ChannelAuthenticator(credentials);
  const activity = channelActivity(options.store, options.logger);
  const deps: PortDependencies = {
    store: options.store, clock: options.clock ?? (() => new Date()), bank: options.bank ?? NO_BANK, logger: options.logger, activity,
  };
  // PayOnline posts through the platform's online-banking channel; its row needs the master key.
  if (options.bank) await ensureOnlineBankingChannel(options.store, (plain) => options.secrets().seal(plain), deps.clock().toISOString());
  const endpoints = new Map<string, Handler>();
  for (const [service, factory] of PORTS) {
    const port = factory(await loadServiceContract(service), deps);
    endpoints.set(service, soapEndpoint({
      port, auth, logger: options.logger, ...(options.clock ? { clock: options.clock } : {}),
      onCompleted: (call) => {
        recordSoapCall(call);
        if (call.channel !== null) activity.record(call.channel, call.outcome === 'ok', businessDate(call.at), call.at.toISOString());
      },
    }));
  }

  return async (req, res) => {
    if (await health(req, res) || await metricsHandler(req, res)) return;
    const url = new URL(req.url ?? '/', 'http://core.invalid');
    const method = req.method ?? 'GET';
    if (url.pathname === '/soap/common.xsd') {
      if (method !== 'GET' && method !== 'HEAD') return sendText(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { Allow: 'GET, HEAD' });
      return sendText(res, 200, XML, documents.commonXsd);
    }
    const service = SOAP_PATH.exec(url.pathname)?.[1];
    if (service === undefined || !documents.has(service)) return sendJson(res, 404, { code: 'NOT_FOUND', message: 'Not found' });
    if ((method === 'GET' || method === 'HEAD') && url.search.toLowerCase() === '?wsdl') {
      const origin = requestOrigin(req);
      if (origin === null) return sendText(res, 400, 'text/plain; charset=utf-8', 'invalid Host header\n');
      return sendText(res, 200, XML, documents.wsdl(service, origin)!);
    }
    const endpoint = endpoints.get(service);
    if (method !== 'POST') {
      return sendText(res, 405, 'text/plain; charset=utf-8', 'method not allowed: POST a SOAP request, or GET ?wsdl\n', { Allow: 'POST, GET' });
    }
    if (endpoint === undefined) return sendJson(res, 404, { code: 'NOT_FOUND', message: 'Not found' });
    await endpoint(req, res);
  };
}
