// `gridbill serve <role>` as a real child process, for the tests that must kill it (-9), restart it
// on the same port, or measure its memory apart from the test's own: started with a clean
// GRIDBILL_* environment, ready when its banner is printed, its output drained so a full pipe
// never stalls it.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { spawnCli } from './cli.ts';

const STARTUP_MS_MAX = 30_000;

export interface ServeProcess {
  readonly pid: number;
  /** The role's URL from the banner, e.g. http://127.0.0.1:8100. */
  readonly url: string;
  /** Everything written to stderr (the last 64 KB). */
  stderr(): string;
  /** Resolves with the exit code, or the signal's name when it was killed. */
  readonly exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): Promise<number | string>;
}

/** A port free at this moment on loopback, for a server that must come back on the same one. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export function startServe(role: 'core' | 'gateway', env: Record<string, string>): Promise<ServeProcess> {
  const child = spawnCli(['serve', role], { GRIDBILL_LOG_LEVEL: 'error', ...env });
  let err = '';
  let out = '';
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  child.stderr.on('data', (c: Buffer) => { err = (err + c.toString('utf8')).slice(-65_536); });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve ${role} printed no banner in ${STARTUP_MS_MAX} ms: ${err}`));
    }, STARTUP_MS_MAX);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve ${role} exited (${code}) before serving: ${err}`));
    });
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const url = new RegExp(`^ {2}${role}\\s+(http://\\S+?)/ `, 'm').exec(out)?.[1];
      if (url === undefined || !out.includes('Press Ctrl+C to stop.')) return;
      clearTimeout(timer);
      out = '';
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      resolve({
        pid: child.pid!, url, exited, stderr: () => err,
        kill(signal) {
          child.kill(signal);
          return exited;
        },
      });
    });
  });
}

/** Resident and peak resident memory of a process in bytes (Linux /proc; null elsewhere). */
export function memoryOf(pid: number): { rssBytes: number; peakRssBytes: number } | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM') };
}
