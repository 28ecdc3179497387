// The gateway as `gridbill serve gateway|all` runs it: the policy file opened with the gateway key,
// the core over a keep-alive pool, the quarantine folder, and the policy read again on SIGHUP.
//
// Until TLS is configured the gateway is in dev mode: it answers plain HTTP from loopback only
// (any other caller gets 403 TLS_REQUIRED) and says so in its start-up log. Under `serve all`
// a missing policy file is an empty policy (every call is AUTH_FAILED) with a warning, so the
// zero-setup platform starts; `serve gateway` refuses to start without one.

import { existsSync } from 'node:fs';
import type { Config } from '../config.ts';
import type { Handler } from '../ops/http-server.ts';
import type { Logger } from '../ops/logger.ts';
import { loadMasterKey, secretBox } from '../ops/secret-box.ts';
import { auditLineWriter } from './audit.ts';
import { createGatewayApp, readPolicyFile } from './gateway-app.ts';
import { httpForwarder } from './forward.ts';
import { EMPTY_POLICY, parsePolicy, POLICY_FORMAT, type ExternalService, type GatewayPolicy } from './policy.ts';

export interface RunningGateway {
  readonly handler: Handler;
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
  const app = await createGatewayApp({
    loadPolicy, forwarder: httpForwarder({ coreUrl }), logger, plainHttpLoopbackOnly: true,
    quarantineDir: config.gatewayQuarantineDir,
    // one line per request on stdout like every log line; skipped when the log level hides info
    ...(logger.isLevelEnabled('info') ? { audit: auditLineWriter((line) => process.stdout.write(line)) } : { audit: () => {} }),
  });
  logger.warn('gateway in dev mode: plain HTTP, answered for loopback callers only (configure TLS for other hosts)', { core: coreUrl });
  const onHangup = () => {
    app.reload();
  };
  process.on('SIGHUP', onHangup);
  return {
    handler: app.handler,
    reload: () => app.reload(),
    close() {
      process.off('SIGHUP', onHangup);
      app.close();
    },
  };
}
