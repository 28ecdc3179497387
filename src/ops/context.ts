// The request context that follows a request through async calls: its correlation id, which
// arrives in (or is given to) the X-Correlation-Id header and travels with every call it causes,
// across processes.

import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

export const CORRELATION_HEADER = 'x-correlation-id';
const CORRELATION_ID = /^[A-Za-z0-9._:-]{8,64}$/;

export interface RequestContext {
  readonly correlationId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function newCorrelationId(): string {
  return randomUUID();
}

/** Takes the caller's correlation id when it is well-formed, otherwise makes a new one. */
export function correlationIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && CORRELATION_ID.test(value) ? value : newCorrelationId();
}

export function runWithContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

/** Headers for an outbound call made on behalf of the current request, so the id crosses processes. */
export function outboundHeaders(): Record<string, string> {
  const context = storage.getStore();
  return context ? { 'X-Correlation-Id': context.correlationId } : {};
}
