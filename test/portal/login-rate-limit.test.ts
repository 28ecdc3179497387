import { expect } from 'chai';
import { LoginRateLimit } from '../../src/portal/login-rate-limit.ts';

describe('login rate limit', () => {
  it('allows max attempts per key in a window, refuses the next, and opens again in the next window', () => {
    let now = 0;
    const limit = new LoginRateLimit(() => now, 1_000, 100);
    const attempt = () => limit.attempt([['ip:a', 3], ['customer:1', 2]]);
    expect([attempt(), attempt(), attempt()]).to.deep.equal([true, true, false]);
    expect(limit.attempt([['ip:a', 3], ['customer:2', 2]]), 'the address is over its limit too').to.equal(false);
    expect(limit.attempt([['ip:b', 3], ['customer:3', 2]]), 'other keys are not').to.equal(true);
    now = 999;
    expect(attempt()).to.equal(false);
    now = 1_000;
    expect(attempt()).to.equal(true);
  });

  it('forgets the oldest windows when it holds keysMax keys', () => {
    const limit = new LoginRateLimit(() => 0, 60_000, 2);
    expect(limit.attempt([['a', 1]])).to.equal(true);
    expect(limit.attempt([['b', 1]])).to.equal(true);
    expect(limit.attempt([['c', 1]])).to.equal(true);
    expect(limit.attempt([['a', 1]]), 'a was forgotten').to.equal(true);
    expect(limit.attempt([['a', 1]])).to.equal(false);
  });
});
