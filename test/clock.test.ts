import { expect } from 'chai';
import { businessDate, businessTimestamp } from '../src/clock.ts';

describe('business calendar', () => {
  it('dates an instant in China Standard Time, not UTC', () => {
    // 2026-10-31T17:30Z is already 1 November in Hangzhou.
    expect(businessDate(new Date('2026-10-31T17:30:00Z'))).to.equal('2026-11-01');
    expect(businessDate(new Date('2026-10-31T15:59:59Z'))).to.equal('2026-10-31');
    expect(businessTimestamp(new Date('2026-10-31T17:30:00.250Z'))).to.equal('2026-11-01T01:30:00.250+08:00');
  });
});
