// Logout: ends the session of the token. A session that has already ended or expired is
// SESSION_INVALID like any other, so logging out twice tells the portal the first one worked.

import { businessTimestamp } from '../clock.ts';
import { GridbillError } from '../errors.ts';
import { endSession } from '../store/customer-access.repository.ts';
import type { Store } from '../store/database.ts';
import { utcInstant } from './customer-secrets.ts';
import { openSession } from './customer-session.ts';

export async function logout(store: Store, request: { readonly sessionToken: string; readonly now: string }): Promise<{ readonly loggedOutAt: string }> {
  const session = await openSession(store, request.sessionToken, request.now);
  const at = utcInstant(request.now);
  if (!(await endSession(store, session.sessionId, at))) throw new GridbillError('SESSION_INVALID');
  return { loggedOutAt: businessTimestamp(new Date(at)) };
}
