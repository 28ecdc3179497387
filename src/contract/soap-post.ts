// One outbound SOAP call over HTTP(S), as every client of gridbill makes it (the bank and the
// head-end from the core, CustomerService from the business hall): POST with the SOAPAction, one
// deadline for the whole exchange (an answer that trickles in is as late as none), an answer bounded
// in bytes, and every way it can go wrong turned into a value — never an exception — so the caller
// decides what an unanswered call means.

import { request as httpRequest, type Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';

export type SoapPostResult =
  | { readonly kind: 'http'; readonly status: number; readonly body: Buffer }
  | { readonly kind: 'no-answer'; readonly reason: 'timeout' | 'unreachable' | 'malformed'; readonly detail: string };

export interface SoapPost {
  readonly url: URL;
  readonly agent: HttpAgent | HttpsAgent;
  readonly soapAction: string;
  readonly xml: string;
  readonly timeoutMs: number;
  readonly answerBytesMax: number;
  /** Further headers (the correlation id). */
  readonly headers?: Readonly<Record<string, string>>;
}

export function postSoap(call: SoapPost): Promise<SoapPostResult> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: SoapPostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = call.url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(call.url, {
      method: 'POST', agent: call.agent,
      headers: {
        'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': Buffer.byteLength(call.xml), SOAPAction: `"${call.soapAction}"`,
        ...call.headers,
      },
    }, (res) => readAnswer(res, call.answerBytesMax, finish));
    const timer = setTimeout(() => {
      finish({ kind: 'no-answer', reason: 'timeout', detail: `no answer within ${call.timeoutMs} ms` });
      req.destroy();
    }, call.timeoutMs);
    req.on('error', (error) => finish({ kind: 'no-answer', reason: 'unreachable', detail: error.message }));
    req.end(call.xml);
  });
}

function readAnswer(res: IncomingMessage, bytesMax: number, finish: (result: SoapPostResult) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > bytesMax) {
      finish({ kind: 'no-answer', reason: 'malformed', detail: `answer larger than ${bytesMax} bytes` });
      res.destroy();
      return;
    }
    chunks.push(chunk);
  });
  res.on('end', () => finish({ kind: 'http', status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
  res.on('error', (error) => finish({ kind: 'no-answer', reason: 'unreachable', detail: error.message }));
}
