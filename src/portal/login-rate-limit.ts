// Login attempts counted per client address and per customer number, in fixed windows of
// portalLoginWindowMs. The core locks an account after loginFailuresMax failures in a row; this
// limit comes first and also slows a script that sprays one password over many customer numbers
// (one address) or asks for SMS codes of one customer from many addresses (one customer number).
// Bounded in keys: when full, the oldest windows are forgotten.

import { LIMITS } from '../limits.ts';

interface Window {
  readonly startMs: number;
  count: number;
}

export class LoginRateLimit {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly now: () => number,
    private readonly windowMs = LIMITS.portalLoginWindowMs,
    private readonly keysMax = LIMITS.portalRateLimitKeysMax,
  ) {}

  /**
   * Counts one attempt for every key and says whether all of them are still within their limit.
   * An attempt over the limit is counted too, so hammering does not open the window earlier.
   */
  attempt(keys: ReadonlyArray<readonly [key: string, max: number]>): boolean {
    const now = this.now();
    let allowed = true;
    for (const [key, max] of keys) {
      let window = this.windows.get(key);
      if (window === undefined || now - window.startMs >= this.windowMs) {
        this.windows.delete(key);
        window = { startMs: now, count: 0 };
        this.evictFor(now);
        this.windows.set(key, window);
      }
      window.count += 1;
      if (window.count > max) allowed = false;
    }
    return allowed;
  }

  private evictFor(now: number): void {
    // Windows are inserted in time order: expired ones sit at the front.
    for (const [key, window] of this.windows) {
      if (this.windows.size < this.keysMax && now - window.startMs < this.windowMs) break;
      this.windows.delete(key);
    }
  }
}
