// The reconciliation file of `gridbill reconcile --file` (format: README.md, "Reconciliation
// files"): UTF-8 text, LF or CRLF, blank lines skipped, fields separated by "|":
//
//   TOTAL|<count>|<amount>                   the first line: the day's entry count and amount
//   <channelTxnId>|<customerNo>|<amount>     one line per entry
//
// The file is read twice, streamed, never held: first every line is checked (and the totals
// against the entries), then, only if nothing was wrong, the entries are sent to Reconcile in
// batches of LIMITS.reconcileEntriesPerBatchMax, as a channel sends them over SOAP. The ids are
// held in a set to find an id listed twice (about 100 bytes an entry).

import { createReadStream } from 'node:fs';
import { formatYuan, parseYuan } from '../domain/money.ts';
import { GridbillError } from '../errors.ts';
import { LIMITS } from '../limits.ts';
import type { Store } from '../store/database.ts';
import { assertImportSize, checkImportFile } from './import-file.ts';
import { PAYMENT_AMOUNT_MAX_FEN } from './pay.ts';
import { reconcile, type ReconcileAnswer, type ReconcileEntry } from './reconcile.ts';

export interface FileProblem {
  readonly line: number;
  /** The field named in the README (count, amount, channelTxnId, customerNo), or null for the whole line. */
  readonly field: string | null;
  readonly message: string;
}

export interface ReconcileFileRequest {
  readonly channelCode: string;
  readonly accountingDate: string;
  readonly path: string;
  readonly now: string;
  readonly actor: string;
}

export type ReconcileFileOutcome =
  | { readonly kind: 'invalid'; readonly problems: readonly FileProblem[]; readonly problemsNotListed: number }
  | { readonly kind: 'sent'; readonly entries: number; readonly batches: number; readonly answer: ReconcileAnswer };

const TXN_ID = /^[0-9A-Za-z][0-9A-Za-z_-]{0,63}$/;
const CUSTOMER_NO = /^[0-9]{10,13}$/;
const AMOUNT = /^[0-9]{1,13}(\.[0-9]{1,2})?$/;
const COUNT = /^[0-9]{1,7}$/;

type Line = { readonly line: number; readonly text: string | null };

/** Non-blank lines with their numbers; null text for a line too long or not UTF-8. */
async function* fileLines(path: string): AsyncGenerator<Line> {
  const charsMax = LIMITS.importLineCharsMax;
  let lineNo = 0;
  let carry = '';
  let tooLong = false;
  let bytes = 0;
  const finish = (raw: string): Line | undefined => {
    lineNo += 1;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const bad = tooLong || text.length > charsMax || text.includes('\uFFFD');
    tooLong = false;
    if (!bad && text.trim() === '') return undefined;
    return { line: lineNo, text: bad ? null : (lineNo === 1 ? text.replace(/^\uFEFF/, '') : text) };
  };
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 65_536 }) as AsyncIterable<string>) {
    bytes += Buffer.byteLength(chunk);
    assertImportSize(path, bytes);
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
      const line = finish(carry + chunk.slice(start, nl));
      carry = '';
      if (line) yield line;
      start = nl + 1;
    }
    if (!tooLong) carry += chunk.slice(start);
    if (carry.length > charsMax + 1) {
      tooLong = true;
      carry = '';
    }
  }
  if (tooLong || carry !== '') {
    const line = finish(carry);
    if (line) yield line;
  }
}

function amountOf(text: string, line: number, field: string, problems: FileProblem[], min: number): number | undefined {
  if (!AMOUNT.test(text)) {
    problems.push({ line, field, message: `${JSON.stringify(text.slice(0, 20))} is not an amount in yuan with at most 2 fraction digits` });
    return undefined;
  }
  const fen = parseYuan(text);
  if (fen < min || fen > PAYMENT_AMOUNT_MAX_FEN) problems.push({ line, field, message: `${text}: from ${formatYuan(min)} to ${formatYuan(PAYMENT_AMOUNT_MAX_FEN)}` });
  return fen;
}

function fieldsOf(line: Line, problems: FileProblem[]): string[] | undefined {
  if (line.text === null) {
    problems.push({ line: line.line, field: null, message: `is longer than ${LIMITS.importLineCharsMax} characters or not UTF-8 text` });
    return undefined;
  }
  const fields = line.text.split('|');
  if (fields.length !== 3) {
    problems.push({ line: line.line, field: null, message: `has ${fields.length} fields separated by "|"; expected 3` });
    return undefined;
  }
  return fields;
}

function parseTotals(line: Line | undefined, problems: FileProblem[]): { count: number; amountFen: number } | undefined {
  if (line === undefined) {
    problems.push({ line: 1, field: null, message: 'the file is empty; expected the header TOTAL|<count>|<amount>' });
    return undefined;
  }
  const fields = fieldsOf(line, problems);
  if (fields === undefined) return undefined;
  const [tag, count, amount] = fields as [string, string, string];
  const before = problems.length;
  if (tag !== 'TOTAL') problems.push({ line: line.line, field: null, message: 'the first line must be the header TOTAL|<count>|<amount>' });
  if (!COUNT.test(count) || Number(count) > LIMITS.reconcileBatchesMax * LIMITS.reconcileEntriesPerBatchMax) {
    problems.push({ line: line.line, field: 'count', message: `${JSON.stringify(count.slice(0, 20))} is not a count of entries` });
  }
  const amountFen = amountOf(amount, line.line, 'amount', problems, 0);
  return problems.length > before || amountFen === undefined ? undefined : { count: Number(count), amountFen };
}

function parseEntry(line: Line, problems: FileProblem[]): ReconcileEntry | undefined {
  const fields = fieldsOf(line, problems);
  if (fields === undefined) return undefined;
  const [channelTxnId, customerNo, amount] = fields as [string, string, string];
  const before = problems.length;
  if (!TXN_ID.test(channelTxnId)) problems.push({ line: line.line, field: 'channelTxnId', message: `${JSON.stringify(channelTxnId.slice(0, 70))}: 1 to 64 letters, digits, "_" or "-"` });
  if (!CUSTOMER_NO.test(customerNo)) problems.push({ line: line.line, field: 'customerNo', message: `${JSON.stringify(customerNo.slice(0, 20))}: 10 to 13 digits` });
  const amountFen = amountOf(amount, line.line, 'amount', problems, 1);
  return problems.length > before || amountFen === undefined ? undefined : { channelTxnId, customerNo, amountFen };
}

/** Pass one: every problem of the file, and its totals when there is none. */
async function checkFile(path: string): Promise<{ problems: FileProblem[]; notListed: number; count: number }> {
  let problems: FileProblem[] = [];
  let notListed = 0;
  const lines = fileLines(path);
  const first = await lines.next();
  const totals = parseTotals(first.done ? undefined : first.value, problems);
  const seen = new Map<string, number>();
  let count = 0;
  let amountFen = 0;
  let lastLine = first.done ? 1 : first.value.line;
  for await (const line of lines) {
    lastLine = line.line;
    // Lines come in order, so the problems of the lowest lines are the ones kept; a file that is
    // wrong throughout must not fill memory with messages.
    if (problems.length > LIMITS.importErrorsListedMax) {
      notListed += problems.length - LIMITS.importErrorsListedMax;
      problems = problems.slice(0, LIMITS.importErrorsListedMax);
    }
    const entry = parseEntry(line, problems);
    if (entry === undefined) continue;
    const earlier = seen.get(entry.channelTxnId);
    if (earlier !== undefined) problems.push({ line: line.line, field: 'channelTxnId', message: `${entry.channelTxnId} is listed on line ${earlier} already` });
    seen.set(entry.channelTxnId, line.line);
    count += 1;
    amountFen += entry.amountFen;
  }
  if (totals !== undefined && problems.length === 0 && (totals.count !== count || totals.amountFen !== amountFen)) {
    problems.push({ line: lastLine, field: null, message: `the header says ${totals.count} entries of ${formatYuan(totals.amountFen)}; the file holds ${count} of ${formatYuan(amountFen)}` });
  }
  return { problems, notListed, count };
}

async function sendFile(store: Store, request: ReconcileFileRequest, count: number): Promise<ReconcileFileOutcome> {
  const perBatch = LIMITS.reconcileEntriesPerBatchMax;
  const batchCount = Math.max(1, Math.ceil(count / perBatch));
  const lines = fileLines(request.path);
  const header = parseTotals((await lines.next()).value as Line, [])!;
  const send = (batchNo: number, entries: readonly ReconcileEntry[]) => reconcile(store, {
    channelCode: request.channelCode, accountingDate: request.accountingDate, totalCount: header.count, totalAmountFen: header.amountFen,
    batchNo, batchCount, entries, now: request.now, actor: request.actor,
  });
  let batch: ReconcileEntry[] = [];
  let batchNo = 0;
  let answer: ReconcileAnswer | undefined;
  for await (const line of lines) {
    const entry = parseEntry(line, []);
    if (entry === undefined) throw new GridbillError('INPUT_INVALID', `${request.path}: line ${line.line} changed while it was read`);
    batch.push(entry);
    if (batch.length === perBatch) {
      answer = await send(batchNo += 1, batch);
      batch = [];
    }
  }
  if (batch.length > 0 || batchNo === 0) answer = await send(batchNo += 1, batch);
  return { kind: 'sent', entries: count, batches: batchNo, answer: answer! };
}

/** Checks the whole file, then sends it to Reconcile batch by batch; nothing is sent from a file with a problem. */
export async function reconcileFile(store: Store, request: ReconcileFileRequest): Promise<ReconcileFileOutcome> {
  await checkImportFile(request.path);
  const { problems, notListed, count } = await checkFile(request.path);
  if (problems.length > 0) {
    const listed = LIMITS.importErrorsListedMax;
    return { kind: 'invalid', problems: problems.slice(0, listed), problemsNotListed: notListed + Math.max(0, problems.length - listed) };
  }
  return sendFile(store, request, count);
}
