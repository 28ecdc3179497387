// Reading a console request and writing its answer: bounded bodies (a form, or one uploaded
// file), HTML pages with the security headers of src/web/security.ts, redirects, small JSON.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { LIMITS } from '../limits.ts';
import { setSecurityHeaders } from '../web/security.ts';
import type { Html } from '../web/html.ts';

export interface UploadedFile {
  readonly filename: string;
  readonly data: Buffer;
}

export interface PostedForm {
  readonly fields: ReadonlyMap<string, string>;
  readonly files: ReadonlyMap<string, UploadedFile>;
}

/** The body was larger than allowed, or not of a form's content types. */
export class BodyRefused extends Error {
  constructor(readonly status: 413 | 415 | 400, message: string) {
    super(message);
  }
}

async function readBody(req: IncomingMessage, bytesMax: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > bytesMax) throw new BodyRefused(413, 'body too large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Stop reading at the cap: a body without Content-Length must not fill memory either.
    if (size > bytesMax) throw new BodyRefused(413, 'body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function urlEncoded(body: Buffer): Map<string, string> {
  const fields = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(body.toString('utf8'))) {
    // The first of a name wins, as for cookies: a repeated field cannot override a checked one.
    if (!fields.has(name)) fields.set(name, value);
  }
  return fields;
}

const BOUNDARY = /boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i;
const DISPOSITION = /content-disposition:\s*form-data;\s*name="([^"]{1,100})"(?:;\s*filename="([^"]{0,255})")?/i;

/** multipart/form-data (RFC 7578) held in memory: the body is already bounded. */
function multipart(body: Buffer, contentType: string): PostedForm {
  const match = BOUNDARY.exec(contentType);
  if (!match) throw new BodyRefused(400, 'multipart without boundary');
  const delimiter = Buffer.from(`--${match[1] ?? match[2]}`);
  const fields = new Map<string, string>();
  const files = new Map<string, UploadedFile>();
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const next = body.indexOf(delimiter, at + delimiter.length);
    if (next === -1) break;
    const part = body.subarray(at + delimiter.length + 2, next - 2); // CRLF after the delimiter, CRLF before the next
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const disposition = DISPOSITION.exec(part.subarray(0, headerEnd).toString('utf8'));
      const content = part.subarray(headerEnd + 4);
      if (disposition && disposition[2] !== undefined && !files.has(disposition[1]!)) {
        files.set(disposition[1]!, { filename: disposition[2], data: Buffer.from(content) });
      } else if (disposition && !fields.has(disposition[1]!)) {
        fields.set(disposition[1]!, content.toString('utf8'));
      }
    }
    at = next;
  }
  return { fields, files };
}

/** A posted form: urlencoded within consoleFormBytesMax, multipart within consoleUploadBytesMax. */
export async function readForm(req: IncomingMessage): Promise<PostedForm> {
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('application/x-www-form-urlencoded')) {
    return { fields: urlEncoded(await readBody(req, LIMITS.consoleFormBytesMax)), files: new Map() };
  }
  if (type.startsWith('multipart/form-data')) {
    return multipart(await readBody(req, LIMITS.consoleUploadBytesMax), String(req.headers['content-type']));
  }
  throw new BodyRefused(415, 'a console form is urlencoded or multipart');
}

export function sendPage(res: ServerResponse, status: number, page: Html, headers: Record<string, string | string[]> = {}): void {
  setSecurityHeaders(res);
  const text = page.markup;
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function redirect(res: ServerResponse, to: string, headers: Record<string, string | string[]> = {}): void {
  setSecurityHeaders(res);
  res.writeHead(303, { Location: to, 'Content-Length': 0, ...headers });
  res.end();
}

export function sendConsoleJson(res: ServerResponse, status: number, value: unknown): void {
  setSecurityHeaders(res);
  const text = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
