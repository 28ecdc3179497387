import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { createLogger } from '../../src/ops/logger.ts';
import { runWithContext } from '../../src/ops/context.ts';

function capture(): { stream: PassThrough; lines: () => Array<Record<string, unknown>> } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  return { stream, lines: () => chunks.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('logger', () => {
  it('writes one JSON object per line with the role, level and correlation id of the request', async () => {
    const out = capture();
    const logger = createLogger({ level: 'info', role: 'core', stream: out.stream });
    runWithContext({ correlationId: 'corr-12345678' }, () => logger.info('paid', { amountFen: 1950 }));
    logger.debug('not at info level');
    await tick();
    const [line, ...rest] = out.lines();
    expect(rest).to.deep.equal([]);
    expect(line).to.include({ level: 'info', role: 'core', message: 'paid', correlationId: 'corr-12345678', amountFen: 1950 });
    expect(line!.timestamp).to.be.a('string');
  });

  it('never writes a secret or a full personal number', async () => {
    const out = capture();
    const logger = createLogger({ level: 'info', role: 'core', stream: out.stream });
    logger.info('login for 13812345678', { password: 'hunter2', customer: { idNumber: '330106199001011234', phone: '13812345678' } });
    logger.error('failed', { error: new Error('bad card 6222021234567890123') });
    await tick();
    const text = JSON.stringify(out.lines());
    for (const secret of ['hunter2', '199001011234', '12345678', '2021234567890']) expect(text).to.not.include(secret);
  });
});
