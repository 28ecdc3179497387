// The portal's signed-in sessions, in this process's memory. The browser holds only a random
// portal session id (an HttpOnly cookie); the core's session token stays here, so a stolen cookie
// store or a script on the page never sees it. Bounded: at most portalSessionsMax sessions (the
// least recently used one ends first), each ending after portalSessionIdleMs unused or when the
// core's own session expires, whichever comes first. A portal restart ends every session; the
// customer logs in again.
//
// A session also remembers the payment forms it was given (their request ids, at most
// portalPaymentFormsMax): a form sent twice reuses its id, so the core answers the first payment
// again instead of debiting twice.

import { randomBytes } from 'node:crypto';
import { LIMITS } from '../limits.ts';

/** What was sent to PayOnline for one payment form: the same id is never sent with other content. */
export interface PaymentOrder {
  readonly billNos: readonly string[];
  readonly bankAccount: string;
  /** Yuan, as confirmed by the customer. */
  readonly amount: string;
}

export interface PaymentResult {
  readonly outcome: 'SUCCESS' | 'FAILED' | 'UNKNOWN';
  readonly failure?: string;
  readonly platformTxnId?: string;
  readonly amount: string;
  readonly bankAccount: string;
  readonly totalDue?: string;
  /** When the portal learned it, business time (UTC+8). */
  readonly at: string;
}

export interface PaymentForm {
  readonly requestId: string;
  order?: PaymentOrder;
  result?: PaymentResult;
}

export interface Notice {
  readonly kind: 'ok' | 'error' | 'info';
  readonly text: string;
}

export interface PortalSession {
  readonly id: string;
  readonly coreToken: string;
  readonly customerNo: string;
  readonly customerName: string;
  /** The core's session expiry, epoch ms. */
  readonly coreExpiresAtMs: number;
  lastUsedMs: number;
  /** By request id, oldest first. */
  readonly payments: Map<string, PaymentForm>;
  /** Shown once on the next page (post/redirect/get). */
  notice?: Notice;
  /** A new phone waiting for its confirmation code. */
  pendingPhone?: string;
}

/** 32 random bytes, base64url: the portal session id in the cookie. */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

/** A PayOnline request id: t:ChannelTxnId, unguessable, unique per form. */
export function newRequestId(): string {
  return `WEB${randomBytes(12).toString('hex').toUpperCase()}`;
}

export class PortalSessions {
  private readonly sessions = new Map<string, PortalSession>();

  constructor(
    private readonly now: () => number,
    private readonly sessionsMax = LIMITS.portalSessionsMax,
    private readonly idleMs = LIMITS.portalSessionIdleMs,
  ) {}

  create(fields: Pick<PortalSession, 'coreToken' | 'customerNo' | 'customerName' | 'coreExpiresAtMs'>): PortalSession {
    const session: PortalSession = { ...fields, id: newSessionId(), lastUsedMs: this.now(), payments: new Map() };
    while (this.sessions.size >= this.sessionsMax) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session of a cookie value, touched; undefined when unknown, idle too long or expired at the core. */
  get(id: string | undefined): PortalSession | undefined {
    if (id === undefined) return undefined;
    const session = this.sessions.get(id);
    if (session === undefined) return undefined;
    const now = this.now();
    if (now - session.lastUsedMs >= this.idleMs || now >= session.coreExpiresAtMs) {
      this.sessions.delete(id);
      return undefined;
    }
    session.lastUsedMs = now;
    // Map order is least recently used first: re-inserting moves the session to the end.
    this.sessions.delete(id);
    this.sessions.set(id, session);
    return session;
  }

  end(id: string): void {
    this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** A new payment form of the session; the oldest forms are forgotten beyond the limit. */
  static issuePaymentForm(session: PortalSession): PaymentForm {
    const form: PaymentForm = { requestId: newRequestId() };
    while (session.payments.size >= LIMITS.portalPaymentFormsMax) {
      // Forget a form never sent before one that was: a sent form's receipt may still be opened.
      const unsent = [...session.payments.values()].find((f) => f.order === undefined);
      const victim = unsent?.requestId ?? session.payments.keys().next().value;
      if (victim === undefined) break;
      session.payments.delete(victim);
    }
    session.payments.set(form.requestId, form);
    return form;
  }
}
