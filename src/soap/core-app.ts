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
import { ChannelActivity, callOutcome } from '../usecases/channel-activity.ts';
import { businessDate, businessTimestamp } from '../clock.ts';
import { maskPhone } from '../ops/mask.ts';
import { html } from '../web/html.ts';
import { setSecurityHeaders } from '../web/security.ts';
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
import { requestOrigin, WsdlDocuments } from '../contract/wsdl-documents.ts';
import { consoleApp } from '../console/console-app.ts';
import { NO_METER_CONTROL, type MeterControl } from '../usecases/meter-control.ts';
import { PaymentReconnects } from '../usecases/reconnect-after-payment.ts';
import { Scheduler } from '../usecases/scheduler.ts';
import { scheduledJobs } from '../usecases/scheduled-jobs.ts';

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
  /** Development with demo data only: the SMS outbox, newest first, shown at GET /dev/sms-outbox. */
  readonly devSmsOutbox?: () => Promise<readonly DevSms[]>;
  /** The meter head-end switch commands go to; none: they stay queued (NO_METER_CONTROL). */
  readonly meterControl?: MeterControl;
  /** Run the scheduled jobs in this core (serve all, serve core); tests leave it out and drive a Scheduler themselves. */
  readonly scheduler?: { readonly holder?: string; readonly tickMs?: number };
}

/** The core's handler; close() stops its scheduler and timers and writes the last channel counts (at shutdown, after the server stopped). */
export type CoreHandler = Handler & { close(): Promise<void> };

export interface DevSms {
  readonly createdAt: string;
  readonly phone: string;
  readonly body: string;
}

/**
 * The SMS outbox as a page, for development: there the outbox is the SMS gateway, and the
 * online business hall (which has no database) links here so a tester can read a login code.
 */
function sendDevSmsOutbox(res: Parameters<Handler>[1], messages: readonly DevSms[]): void {
  const page = html`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="5"><title>短信发件箱（开发环境）</title></head><body><h1>短信发件箱（开发环境）</h1>
<table id="sms-outbox"><thead><tr><th>时间</th><th>手机</th><th>内容</th></tr></thead><tbody>${messages.map((m) =>
  html`<tr><td>${businessTimestamp(new Date(m.createdAt)).slice(0, 19)}</td><td>${maskPhone(m.phone)}</td><td class="sms-body">${m.body}</td></tr>`)}</tbody></table></body></html>`;
  setSecurityHeaders(res);
  sendText(res, 200, 'text/html; charset=utf-8', page.markup);
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
  readonly control: MeterControl;
  /** Reconnects a disconnected customer after a payment, off the payment's path. */
  readonly reconnects: PaymentReconnects;
}

type PortFactory = (contract: ServiceContract, deps: PortDependencies) => ServicePort;

/** The services the core answers, one port each; a served service missing here answers 404. */
const PORTS: ReadonlyArray<readonly [ServiceName, PortFactory]> = [
  ['ChannelPaymentService', (contract, deps) => channelPaymentPort(contract, deps.store, (customerNo) => deps.reconnects.paid(customerNo))],
  ['CustomerService', (contract, deps) => customerPort(contract, deps.store, {
    PayOnline: payOnlineOperation(deps.store, deps.bank, (token, now) => sessionCustomer(deps.store, token, now), {}, (customerNo) => deps.reconnects.paid(customerNo)),
  })],
  ['BillingAdminService', (contract, deps) => billingAdminPort(contract, deps)],
  ['OperationsService', (contract, deps) => operationsPort(contract, deps)],
];

/**
 * The channel call counters of this core, written every LIMITS.channelActivityFlushMs. The timer
 * does not keep the process alive; a core that stops loses at most one interval of counts.
 */
function channelActivity(store: Store, logger: Logger): { activity: ChannelActivity; stop(): Promise<void> } {
  const activity = new ChannelActivity(store);
  const flush = () => activity.flush().catch((error: unknown) => logger.warn('channel activity not written; kept for the next flush', { error }));
  const timer = setInterval(() => void flush(), LIMITS.channelActivityFlushMs);
  timer.unref();
  return {
    activity,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}

/** The scheduled jobs of this core, when asked for (see CoreAppOptions.scheduler). */
function startScheduler(options: CoreAppOptions, deps: PortDependencies): Scheduler | undefined {
  if (options.scheduler === undefined) return undefined;
  const scheduler = new Scheduler({
    store: options.store, logger: options.logger, clock: deps.clock, ...options.scheduler,
    jobs: scheduledJobs({ store: options.store, control: deps.control, ...(options.bank ? { bank: options.bank } : {}) }),
  });
  scheduler.start();
  return scheduler;
}

export async function coreApp(options: CoreAppOptions): Promise<CoreHandler> {
  const health = healthHandler({ role: 'core', version: VERSION, checks: options.checks });
  const documents = new WsdlDocuments(SERVED_SERVICES);
  const unreadable = new Set<string>();
  const credentials = new CredentialCache(() => enabledCredentials(options.store, options.secrets(), (code, error) => {
    // Once per channel and process: the cache reloads every few seconds.
    if (!unreadable.has(code)) options.logger.warn('channel left out of authentication: its secret cannot be opened', { channel: code, error: error.message });
    unreadable.add(code);
  }), options.credentialsTtlMs ?? CREDENTIALS_TTL_MS);
  const auth = new ChannelAuthenticator(credentials);
  const counters = channelActivity(options.store, options.logger);
  const activity = counters.activity;
  const clock = options.clock ?? (() => new Date());
  const control = options.meterControl ?? NO_METER_CONTROL;
  const reconnects = new PaymentReconnects(options.store, control, clock, (customerNo, error) => {
    options.logger.warn('reconnect after payment not done; the reminders job will retry', { customerNo, error: error.message });
  });
  const deps: PortDependencies = {
    store: options.store, clock, bank: options.bank ?? NO_BANK, logger: options.logger, activity, control, reconnects,
  };
  // PayOnline posts through the platform's online-banking channel; its row needs the master key.
  if (options.bank) await ensureOnlineBankingChannel(options.store, (plain) => options.secrets().seal(plain), deps.clock().toISOString());
  const adminConsole = consoleApp({ store: options.store, logger: options.logger, clock: deps.clock, secrets: options.secrets, activity });
  const endpoints = new Map<string, Handler>();
  for (const [service, factory] of PORTS) {
    const port = factory(await loadServiceContract(service), deps);
    endpoints.set(service, soapEndpoint({
      port, auth, logger: options.logger, ...(options.clock ? { clock: options.clock } : {}),
      onCompleted: (call) => {
        recordSoapCall(call);
        if (call.channel !== null) activity.record(call.channel, callOutcome(call.outcome), businessDate(call.at), call.at.toISOString(), call.seconds * 1000);
      },
    }));
  }

  const scheduler = startScheduler(options, deps);
  const handler: Handler = async (req, res) => {
    const method = req.method ?? 'GET';
    // The SOAP calls are nearly all the traffic: straight to their endpoint, before the pages are asked.
    const endpoint = method === 'POST' ? endpoints.get(SOAP_PATH.exec(req.url ?? '')?.[1] ?? '') : undefined;
    if (endpoint !== undefined) return endpoint(req, res);
    if (await health(req, res) || await metricsHandler(req, res)) return;
    if (await adminConsole(req, res)) return;
    const url = new URL(req.url ?? '/', 'http://core.invalid');
    if (options.devSmsOutbox && url.pathname === '/dev/sms-outbox' && method === 'GET') return sendDevSmsOutbox(res, await options.devSmsOutbox());
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
    if (method !== 'POST') {
      return sendText(res, 405, 'text/plain; charset=utf-8', 'method not allowed: POST a SOAP request, or GET ?wsdl\n', { Allow: 'POST, GET' });
    }
    // A POST to a served service without an endpoint here, or with a query string.
    const endpointOfService = url.search === '' ? undefined : endpoints.get(service);
    if (endpointOfService === undefined) return sendJson(res, 404, { code: 'NOT_FOUND', message: 'Not found' });
    await endpointOfService(req, res);
  };
  return Object.assign(handler, {
    async close() {
      await scheduler?.stop();
      await reconnects.idle();
      await counters.stop();
    },
  });
}
