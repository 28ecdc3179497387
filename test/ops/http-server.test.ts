import { request } from 'node:http';
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { startHttpServer } from '../../src/ops/http-server.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { currentContext, outboundHeaders } from '../../src/ops/context.ts';

const logger = createLogger({ level: 'error', role: 'test', stream: new PassThrough() });

function get(url: string, headers: Record<string, string> = {}, fresh = false): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, ...(fresh ? { agent: false } : {}) }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString('utf8'); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTP servers', () => {
  it('carry the caller\'s correlation id, or give a new one', async () => {
    const server = await startHttpServer({
      name: 't', host: '127.0.0.1', port: 0, logger,
      handler: (_req, res) => { res.end(currentContext()?.correlationId ?? 'none'); },
    });
    try {
      const given = await get(`${server.url}/`, { 'X-Correlation-Id': 'bank-abc-12345678' });
      expect(given.body).to.equal('bank-abc-12345678');
      expect(given.headers['x-correlation-id']).to.equal('bank-abc-12345678');
      const made = await get(`${server.url}/`, { 'X-Correlation-Id': 'bad id with spaces' });
      expect(made.body).to.match(/^[0-9a-f-]{36}$/);
    } finally {
      await server.stop();
    }
  });

  it('let an in-flight request finish when stopped, then refuse new connections', async () => {
    let release: () => void = () => undefined;
    const server = await startHttpServer({
      name: 't', host: '127.0.0.1', port: 0, logger,
      handler: (_req, res) => new Promise<void>((resolve) => {
        release = () => { res.end('finished'); resolve(); };
      }),
    });
    const inFlight = get(`${server.url}/slow`);
    await new Promise((r) => setTimeout(r, 50));
    let stopped = false;
    const stopping = server.stop().then(() => { stopped = true; });
    await new Promise((r) => setTimeout(r, 50));
    expect(stopped, 'stop waits for the request').to.equal(false);
    release();
    expect((await inFlight).body).to.equal('finished');
    await stopping;
    const refused = await get(`${server.url}/`, {}, true).then(() => null, (e: NodeJS.ErrnoException) => e.code);
    expect(refused).to.equal('ECONNREFUSED');
  });

  it('answer a handler failure with a bare 500 and no internals', async () => {
    const server = await startHttpServer({
      name: 't', host: '127.0.0.1', port: 0, logger,
      handler: () => { throw new Error('SELECT * FROM secrets at /work/main/src/x.ts:12'); },
    });
    try {
      const result = await get(`${server.url}/`);
      expect(result.status).to.equal(500);
      expect(result.body).to.equal('internal error\n');
    } finally {
      await server.stop();
    }
  });
});

describe('correlation across processes', () => {
  it('passes the request\'s id on to the calls it makes', async () => {
    const downstream = await startHttpServer({
      name: 'down', host: '127.0.0.1', port: 0, logger,
      handler: (req, res) => { res.end(String(req.headers['x-correlation-id'])); },
    });
    const upstream = await startHttpServer({
      name: 'up', host: '127.0.0.1', port: 0, logger,
      handler: async (_req, res) => { res.end((await get(`${downstream.url}/`, outboundHeaders())).body); },
    });
    try {
      expect((await get(`${upstream.url}/`, { 'X-Correlation-Id': 'portal-req-000042' })).body).to.equal('portal-req-000042');
      expect(outboundHeaders()).to.deep.equal({});
    } finally {
      await upstream.stop();
      await downstream.stop();
    }
  });
});
