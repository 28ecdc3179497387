// What every stage of the pipeline answers: pass, or a denial naming the stage, a reason code for
// the audit log (never shown to the caller) and the catalogued error the caller gets. A fixed,
// named list of stages (Fastify's lifecycle is the model): the audit line and the tests name the
// stage that refused a request, so "where was it stopped" is a fact, not a guess.

import { ERRORS, type ErrorCode } from '../errors.ts';

export const STAGES = [
  'transport', 'parse', 'envelope', 'route', 'authenticate', 'authorise', 'validate', 'behaviour', 'forward', 'respond',
] as const;

export type StageName = (typeof STAGES)[number];

/** The SOAP fault code: a catalogue code's side, or one of the envelope-level codes. */
export type FaultSide = 'Client' | 'Server' | 'VersionMismatch' | 'MustUnderstand';

export interface Denial {
  readonly stage: StageName;
  /** Short kebab-case reason for the audit log, e.g. `dtd-refused`, `digest-mismatch`. */
  readonly reason: string;
  readonly code: ErrorCode;
  readonly side: FaultSide;
  /** 400/403/405/413/415 before an envelope exists (or for XML that is not well-formed), else 500. */
  readonly httpStatus: number;
}

export type Verdict = { readonly ok: true } | { readonly ok: false; readonly denial: Denial };

export const PASS: Verdict = Object.freeze({ ok: true });

export function deny(
  stage: StageName, code: ErrorCode, reason: string, options: { readonly side?: FaultSide; readonly httpStatus?: number } = {},
): Verdict {
  return {
    ok: false,
    denial: { stage, code, reason, side: options.side ?? ERRORS[code].fault, httpStatus: options.httpStatus ?? 500 },
  };
}

/** A denial answered with a plain HTTP status before any envelope was read (405, 413, 415, 403). */
export function denyHttp(stage: StageName, code: ErrorCode, reason: string): Verdict {
  return deny(stage, code, reason, { httpStatus: ERRORS[code].httpStatus });
}
