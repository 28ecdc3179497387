// A strict, streaming reader of RFC 4180 CSV for import files: UTF-8 (a leading BOM is dropped),
// LF or CRLF line ends, fields optionally in double quotes with "" for a quote inside, a quoted
// field may span lines. It holds one record at a time, never the file: a line longer than
// LIMITS.importLineCharsMax is reported and skipped without being buffered. Blank lines are
// skipped. A record that cannot be read is yielded as an error with its line number, and reading
// goes on with the next line, so one bad row does not hide the rest of the file's problems.

import { createReadStream } from 'node:fs';
import { LIMITS } from '../limits.ts';
import { assertImportSize } from './import-file.ts';

export type CsvRecord =
  | { readonly kind: 'fields'; readonly line: number; readonly fields: readonly string[] }
  | {
    readonly kind: 'error';
    readonly line: number;
    /** 0-based column of the problem, when it is known. */
    readonly fieldIndex: number | null;
    readonly message: string;
    /** The text before the first comma when it holds no quote: the row's likely first field. */
    readonly leadingField: string | undefined;
  };

export type RecordSplit =
  | { readonly kind: 'complete'; readonly fields: string[] }
  /** A quoted field is still open at the end of the text: the record goes on on the next line. */
  | { readonly kind: 'open' }
  | { readonly kind: 'error'; readonly fieldIndex: number; readonly message: string };

/** Splits one record's text into its fields (pure; the reader below feeds it lines). */
export function splitCsvRecord(text: string): RecordSplit {
  // Most rows hold no quote at all: a plain split is exact for them.
  if (!text.includes('"')) return { kind: 'complete', fields: text.split(',') };
  const fields: string[] = [];
  let at = 0;
  for (;;) {
    if (text[at] === '"') {
      const quoted = readQuoted(text, at + 1);
      if (quoted === undefined) return { kind: 'open' };
      fields.push(quoted.value);
      at = quoted.end;
      if (at === text.length) return { kind: 'complete', fields };
      if (text[at] !== ',') {
        return { kind: 'error', fieldIndex: fields.length - 1, message: 'has characters after its closing quote' };
      }
    } else {
      const comma = text.indexOf(',', at);
      const value = text.slice(at, comma < 0 ? text.length : comma);
      if (value.includes('"')) {
        return { kind: 'error', fieldIndex: fields.length, message: 'has a quote inside an unquoted field (quote the whole field and double the quote)' };
      }
      fields.push(value);
      if (comma < 0) return { kind: 'complete', fields };
      at = comma;
    }
    at += 1; // past the comma
  }
}

/** The quoted field starting after the opening quote at `from`, or undefined if it does not close. */
function readQuoted(text: string, from: number): { value: string; end: number } | undefined {
  let value = '';
  let at = from;
  for (;;) {
    const quote = text.indexOf('"', at);
    if (quote < 0) return undefined;
    value += text.slice(at, quote);
    if (text[quote + 1] !== '"') return { value, end: quote + 1 };
    value += '"';
    at = quote + 2;
  }
}

/** Decodes UTF-8 chunks, failing when the file grows past the import limit while it is read. */
async function* decodeUtf8(path: string): AsyncGenerator<string> {
  // ignoreBOM: false makes the decoder drop a leading byte-order mark. Bytes that are not UTF-8
  // become U+FFFD, which the reader reports per line (with its number) instead of failing blind.
  const decoder = new TextDecoder('utf-8', { ignoreBOM: false });
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 })) {
    bytes += (chunk as Buffer).length;
    assertImportSize(path, bytes);
    yield decoder.decode(chunk as Buffer, { stream: true });
  }
  const rest = decoder.decode();
  if (rest !== '') yield rest;
}

/** Physical lines without their LF or CRLF; null for a line longer than charsMax (not buffered). */
async function* readLines(chunks: AsyncIterable<string>, charsMax: number): AsyncGenerator<string | null> {
  let carry = '';
  let tooLong = false;
  const finish = (piece: string): string | null => {
    const text = carry + piece; // piece is part of one decoded chunk, so this stays bounded
    const wasTooLong = tooLong;
    carry = '';
    tooLong = false;
    const line = text.endsWith('\r') ? text.slice(0, -1) : text;
    return wasTooLong || line.length > charsMax ? null : line;
  };
  for await (const chunk of chunks) {
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
      yield finish(chunk.slice(start, nl));
      start = nl + 1;
    }
    if (!tooLong) carry += chunk.slice(start);
    // +1: the CR of a CRLF line end may be the last character held.
    if (carry.length > charsMax + 1) {
      tooLong = true;
      carry = '';
    }
  }
  if (tooLong || carry !== '') yield finish('');
}

function leadingFieldOf(text: string): string | undefined {
  const comma = text.indexOf(',');
  const first = comma < 0 ? text : text.slice(0, comma);
  return first.includes('"') ? undefined : first;
}

function recordError(line: number, fieldIndex: number | null, message: string, text: string): CsvRecord {
  return { kind: 'error', line, fieldIndex, message, leadingField: leadingFieldOf(text) };
}

/** The records of a CSV file, in order, each with the number of the line it starts on. */
export async function* readCsvRecords(path: string, lineCharsMax: number = LIMITS.importLineCharsMax): AsyncGenerator<CsvRecord> {
  let lineNo = 0;
  let open: { line: number; text: string } | null = null;
  for await (const text of readLines(decodeUtf8(path), lineCharsMax)) {
    lineNo += 1;
    if (text === null || text.includes('\uFFFD')) {
      const message = text === null ? `is longer than ${lineCharsMax} characters` : 'is not UTF-8 text (save the file as UTF-8)';
      yield recordError(open?.line ?? lineNo, null, message, open?.text ?? text ?? '');
      open = null;
      continue;
    }
    if (open === null && text === '') continue;
    const record: { line: number; text: string } = open === null ? { line: lineNo, text } : { line: open.line, text: `${open.text}\n${text}` };
    open = null;
    if (record.text.length > lineCharsMax) {
      yield recordError(record.line, null, `is longer than ${lineCharsMax} characters (is a quote not closed?)`, record.text);
      continue;
    }
    const split = splitCsvRecord(record.text);
    if (split.kind === 'open') open = record;
    else if (split.kind === 'complete') yield { kind: 'fields', line: record.line, fields: split.fields };
    else yield recordError(record.line, split.fieldIndex, split.message, record.text);
  }
  if (open !== null) yield recordError(open.line, null, 'has a quoted field that is not closed before the end of the file', open.text);
}
