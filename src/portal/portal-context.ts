// What every route of the portal works with: the process-wide parts (the CustomerService client,
// the sessions, the login rate limit, the CSRF key) and the request being answered (its language,
// its session, its form). Calls to the core go through `call`/`ask`, which turn the outcomes every
// page treats alike into control flow: an ended core session ends the portal session and sends
// the browser to the login page; an unreachable or misbehaving core is the "unavailable" page.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { businessDate } from '../clock.ts';
import type { Logger } from '../ops/logger.ts';
import { csrfToken } from '../web/security.ts';
import type { Answer, CallResult, CustomerOperation, CustomerServiceClient, RequestFields } from './customer-service-client.ts';
import type { PageContext } from './layout.ts';
import type { LoginRateLimit } from './login-rate-limit.ts';
import type { Lang } from './messages.ts';
import type { PortalSession, PortalSessions } from './portal-sessions.ts';

export interface Portal {
  readonly client: CustomerServiceClient;
  readonly sessions: PortalSessions;
  readonly rateLimit: LoginRateLimit;
  readonly csrfKey: Buffer;
  readonly secureCookies: boolean;
  readonly now: () => number;
  readonly logger?: Logger;
  /** Development only: the core's SMS outbox page, linked from the login page; and demo hints. */
  readonly dev?: { readonly smsOutboxUrl?: string };
}

export interface Rq {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly lang: Lang;
  /** The anonymous visitor id (cookie gb_pre) that the login forms' CSRF token is bound to. */
  readonly preId: string;
  /** Cookies to set with the answer (a new gb_pre). */
  readonly cookies: string[];
  readonly session?: PortalSession;
  readonly form?: URLSearchParams;
  /** The path's captured part (a bill number, a request id). */
  readonly param?: string;
}

export type SignedInRq = Rq & { readonly session: PortalSession };

/** The core ended the customer's session (expired, logged out elsewhere, password changed). */
export class SessionEnded extends Error {}
/** The core cannot be reached or answered outside the contract. */
export class CoreUnavailable extends Error {}

export function csrfOf(portal: Portal, rq: Rq): string {
  return rq.session === undefined ? csrfToken(portal.csrfKey, `pre:${rq.preId}`) : csrfToken(portal.csrfKey, rq.session.id);
}

export function pageContext(portal: Portal, rq: Rq): PageContext {
  const session = rq.session;
  const notice = session?.notice;
  if (session !== undefined) session.notice = undefined;
  return {
    lang: rq.lang, path: rq.url.pathname, csrf: csrfOf(portal, rq),
    ...(session === undefined ? {} : { signedIn: { customerNo: session.customerNo, customerName: session.customerName } }),
    ...(notice === undefined ? {} : { notice }),
  };
}

/**
 * A CustomerService call for the signed-in customer (the session token is added): faults are
 * answered to the caller, except SESSION_INVALID (SessionEnded) and no answer (CoreUnavailable).
 */
export type Reached = Exclude<CallResult, { readonly kind: 'unavailable' }>;

export async function call(portal: Portal, rq: SignedInRq, operation: CustomerOperation, fields: RequestFields): Promise<Reached> {
  const result = await portal.client.call(operation, { sessionToken: rq.session.coreToken, ...fields });
  if (result.kind === 'fault' && result.code === 'SESSION_INVALID') {
    portal.sessions.end(rq.session.id);
    throw new SessionEnded();
  }
  if (result.kind === 'unavailable') throw new CoreUnavailable(result.detail);
  return result;
}

/** As `call`, for a call whose every fault is unexpected: the answer, or the unavailable page. */
export async function ask(portal: Portal, rq: SignedInRq, operation: CustomerOperation, fields: RequestFields): Promise<Answer> {
  const result = await call(portal, rq, operation, fields);
  if (result.kind === 'answer') return result.answer;
  const detail = result.kind === 'fault' ? `fault ${result.code}: ${result.message}` : `invalid ${result.field}`;
  portal.logger?.warn('unexpected CustomerService outcome', { operation, detail });
  throw new CoreUnavailable(detail);
}

/** Today's business date (UTC+8) as the portal's clock says. */
export function today(portal: Portal): string {
  return businessDate(new Date(portal.now()));
}

/** `YYYY-MM` plus `months` (negative: earlier). */
export function addMonths(period: string, months: number): string {
  const [year, month] = period.split('-').map(Number) as [number, number];
  const index = year * 12 + (month - 1) + months;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** `YYYY-MM-DD` plus `days`. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
