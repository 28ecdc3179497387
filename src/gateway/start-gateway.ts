// The gateway as `gridbill serve gateway|all` runs it: the policy file opened with the gateway key,
// the core over a keep-alive pool, the quarantine folder, and the policy read again on SIGHUP.
//
// Mutual TLS (GRIDBILL_GATEWAY_TLS, `auto` by default: on when GRIDBILL_CA_DIR holds the
// gateway's server certificate): HTTPS with tls.ts's server options, the files read again when
// they change or on SIGHUP, the channel of each connection from tls.ts's peerChannel (which checks
// the CRL's serials again, for resumed sessions), and X.509 signatures verified with their replay
// key remembered. Under `serve all` the business hall beside it has no client certificate, so it
// gets a second door: plain HTTP on 127.0.0.1 only.
//
// Without TLS the gateway is in dev mode: it answers plain HTTP from loopback only (any other
// caller gets 403 TLS_REQUIRED) and says so in its start-up log. Under `serve all` a missing
// policy file is an empty policy (every call is AUTH_FAILED) with a warning, so the zero-setup
// platform starts; `serve gateway` refuses to start without one.

import { existsSync } from 'node:fs';
import type { Server as TlsServer, TLSSocket } from 'node:tls';
import type { Config } from '../config.ts';
import { startHttpServer, type Handler, type RunningServer } from '../ops/http-server.ts';
import type { Logger } from '../ops/logger.ts';
import { loadMasterKey, secretBox } from '../ops/secret-box.ts';
import { auditLineWriter } from './audit.ts';
import { verifyX509 } from './authenticate.ts';
import type { PeerCertificate } from './exchange.ts';
import { createGatewayApp, readPolicyFile } from './gateway-app.ts';
import { httpForwarder } from './forward.ts';
import { coreReadiness } from './core-readiness.ts';
import { EMPTY_POLICY, parsePolicy, POLICY_FORMAT, type ExternalService, type GatewayPolicy } from './policy.ts';
import { GatewayTls, gatewayTlsFiles } from './tls.ts';

export interface RunningGateway {
  readonly handler: Handler;
  /** `tls`: HTTPS with mutual TLS; `dev`: plain HTTP answered for loopback callers only. */
  readonly mode: 'tls' | 'dev';
  /** Starts the gateway's server (HTTPS under mutual TLS, watching the TLS files while it runs). */
  serve(host: string, port: number): Promise<RunningServer>;
  /** Plain HTTP on 127.0.0.1 (port 0), named `gateway-loopback`: the business hall's door under `serve all` with mutual TLS. */
  serveLoopback(): Promise<RunningServer>;
  reload(): boolean;
  close(): void;
}

/** A channel `serve all` lets through without a policy file: the online business hall started beside it. */
export interface DevChannel {
  readonly code: string;
  readonly password: string;
  readonly zone: string;
  readonly services: readonly ExternalService[];
  readonly operations: readonly string[];
}

/** The policy of `serve all` without a policy file: exactly the in-process channels, nothing else. */
export function devPolicy(channels: readonly DevChannel[]): GatewayPolicy {
  const zones: Record<string, string[]> = {};
  for (const c of channels) zones[c.zone] = [...new Set([...(zones[c.zone] ?? []), ...c.services])];
  const doc = {
    format: POLICY_FORMAT, zones, allowedHeaders: [],
    channels: Object.fromEntries(channels.map((c) => [c.code, { zone: c.zone, secret: c.password, operations: c.operations }])),
  };
  const reading = parsePolicy(JSON.stringify(doc), (plain) => plain);
  if (!reading.ok) throw new Error(`dev gateway policy: ${reading.problems.join('; ')}`);
  return reading.policy;
}

/** Whether the gateway runs mutual TLS: `on` and `off` as said; `auto` when its server certificate exists. */
export function gatewayTlsWanted(config: Pick<Config, 'gatewayTls' | 'caDir'>): boolean {
  if (config.gatewayTls !== 'auto') return config.gatewayTls === 'on';
  return existsSync(gatewayTlsFiles(config.caDir).cert);
}

/**
 * The client certificate of a mutual-TLS connection as the authenticate stage sees it: the channel
 * peerChannel names, or refused with its reason. No certificate at all is refused too: the
 * handshake requires one, so only a bug could let such a connection through.
 */
export function peerReader(tls: GatewayTls): (socket: TLSSocket) => PeerCertificate {
  return (socket) => {
    const verdict = tls.peerChannel(socket);
    if (verdict.ok) return { fingerprint256: verdict.fingerprint256.toUpperCase(), authorized: true, channel: verdict.channel };
    const fingerprint256 = socket.getPeerX509Certificate()?.fingerprint256.toUpperCase() ?? '';
    return { fingerprint256, authorized: false, refusal: verdict.reason };
  };
}

/** Loads the TLS files (TLS_CONFIG_INVALID when they are not good) and says so in the log. */
function loadTls(config: Config, logger: Logger): GatewayTls {
  const tls = GatewayTls.load(gatewayTlsFiles(config.caDir));
  logger.info('gateway serves HTTPS with mutual TLS: channels need a client certificate of the platform CA', {
    caDir: config.caDir, serverFingerprint256: tls.serverFingerprint256, crlNextUpdate: tls.crlNextUpdate?.toISOString() ?? null,
  });
  return tls;
}

/** Serves HTTPS with `tls` and keeps its files in force while the server runs. */
async function serveTls(tls: GatewayTls, handler: Handler, host: string, port: number, logger: Logger): Promise<RunningServer> {
  const running = await startHttpServer({ name: 'gateway', host, port, handler, logger, tls: tls.serverOptions() });
  const server = running.server as unknown as TlsServer;
  // A refused handshake never becomes a request, so it leaves no audit line: it is logged here.
  server.on('tlsClientError', (error: NodeJS.ErrnoException, socket: TLSSocket) => {
    logger.debug('gateway TLS handshake refused', { reason: error.code ?? error.message, remoteAddress: socket.remoteAddress });
  });
  const unwatch = tls.watch(server, {
    onReload: (info) => logger.info('gateway TLS files reloaded', { crlNextUpdate: info.crlNextUpdate?.toISOString() ?? null, revoked: info.revokedCount }),
    onError: (error) => logger.error('gateway TLS files not reloaded: the ones in force stay', { error }),
  });
  return {
    ...running,
    async stop() {
      unwatch();
      await running.stop();
    },
  };
}

/**
 * `coreUrl`: the core started in the same process (serve all), else GRIDBILL_CORE_URL.
 * `devChannels`: under `serve all`, the channels started in this process (the business hall),
 * used as the whole policy when there is no policy file.
 */
export async function startGateway(
  config: Config, role: 'all' | 'gateway', logger: Logger, coreUrl = config.coreUrl, devChannels: readonly DevChannel[] = [],
): Promise<RunningGateway> {
  const box = secretBox(loadMasterKey({ keyBase64: config.gatewayKeyBase64, keyFile: config.gatewayKeyFile }));
  const loadPolicy = (): GatewayPolicy => {
    if (role === 'all' && !existsSync(config.gatewayPolicyFile)) {
      logger.warn('no gateway policy file: only the business hall started beside it is let through', {
        file: config.gatewayPolicyFile, channels: devChannels.map((c) => c.code),
      });
      return devChannels.length === 0 ? EMPTY_POLICY : devPolicy(devChannels);
    }
    return readPolicyFile(config.gatewayPolicyFile, (sealed) => box.open(sealed));
  };
  const tls = gatewayTlsWanted(config) ? loadTls(config, logger) : undefined;
  const app = await createGatewayApp({
    loadPolicy, forwarder: httpForwarder({ coreUrl }), logger, coreReady: coreReadiness(coreUrl),
    // Under TLS every connection of the main server is encrypted; only serve all's loopback door is plain.
    plainHttpLoopbackOnly: tls === undefined || role === 'all',
    verifySignature: verifyX509,
    ...(tls ? { peerCertificate: peerReader(tls) } : {}),
    quarantineDir: config.gatewayQuarantineDir,
    // one line per request on stdout like every log line; skipped when the log level hides info
    ...(logger.isLevelEnabled('info') ? { audit: auditLineWriter((line) => process.stdout.write(line)) } : { audit: () => {} }),
  });
  if (tls === undefined) {
    logger.warn('gateway in dev mode: plain HTTP, answered for loopback callers only (gridbill ca init and ca issue --server for mutual TLS)', {
      core: coreUrl, caDir: config.caDir, tls: config.gatewayTls,
    });
  }
  const onHangup = () => {
    app.reload();
  };
  process.on('SIGHUP', onHangup);
  const plain = (name: string, host: string, port: number) => startHttpServer({ name, host, port, handler: app.handler, logger });
  return {
    handler: app.handler,
    mode: tls ? 'tls' : 'dev',
    serve: (host, port) => (tls ? serveTls(tls, app.handler, host, port, logger) : plain('gateway', host, port)),
    serveLoopback: () => plain('gateway-loopback', '127.0.0.1', 0),
    reload: () => app.reload(),
    close() {
      process.off('SIGHUP', onHangup);
      app.close();
    },
  };
}
