// Structured logs: one JSON object per line on stdout, with the time, level, process role, the
// current correlation id and masked fields. Nothing here writes a secret or a full personal
// number: fields pass through maskFields first.

import winston from 'winston';
import type { LogLevel } from '../config.ts';
import { currentContext } from './context.ts';
import { maskFields, maskText } from './mask.ts';

const addContext = winston.format((info) => {
  const context = currentContext();
  if (context && info.correlationId === undefined) info.correlationId = context.correlationId;
  return info;
});

const mask = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (key === 'level' || key === 'timestamp' || key === 'correlationId' || key === 'role') continue;
    info[key] = key === 'message' ? maskText(String(info[key])) : maskFields(info[key], key);
  }
  return info;
});

export type Logger = winston.Logger;

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly role: string;
  /** Tests pass a stream to capture lines; the default is stdout. */
  readonly stream?: NodeJS.WritableStream;
  readonly silent?: boolean;
}

export function createLogger(options: LoggerOptions): Logger {
  return winston.createLogger({
    level: options.level,
    defaultMeta: { role: options.role },
    format: winston.format.combine(winston.format.timestamp(), addContext(), mask(), winston.format.json()),
    transports: [
      options.stream
        ? new winston.transports.Stream({ stream: options.stream, silent: options.silent ?? false })
        : new winston.transports.Console({ silent: options.silent ?? false }),
    ],
  });
}
