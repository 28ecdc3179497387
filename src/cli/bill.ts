import { businessDate } from '../clock.ts';
import { isIsoDate } from '../domain/dates.ts';
import { formatRate, formatYuan } from '../domain/money.ts';
import { GridbillError } from '../errors.ts';
import { getBill } from '../usecases/get-bill.ts';
import { issueBills } from '../usecases/issue-bills.ts';
import { listBillExceptions } from '../usecases/list-exceptions.ts';
import { resolveBillException } from '../usecases/resolve-exception.ts';
import { actorOption, withCurrentStore } from './store-command.ts';
import { EXIT_OK, integerOption, parseOptions, runSubcommand, type CliIo, type Command, type Subcommand } from './command.ts';

async function show(args: readonly string[], io: CliIo): Promise<number> {
  const { positionals } = parseOptions(args, {}, true);
  const billNo = positionals[0];
  if (!billNo || positionals.length > 1) throw new GridbillError('CLI_USAGE', 'bill show needs one bill number');
  return withCurrentStore(io, async (store) => {
    const { bill, lines, exceptions } = await getBill(store, billNo);
    const customer = await store.db.selectFrom('customers').selectAll().where('id', '=', bill.customer_id).executeTakeFirstOrThrow();
    io.out(`bill ${bill.bill_no}  period ${bill.period}  status ${bill.status}${bill.due_on ? `  due ${bill.due_on}` : ''}`);
    io.out(`customer ${customer.customer_no} ${customer.name} (${customer.category}, ${customer.voltage})  tariff ${bill.tariff_code}`);
    io.out(`energy ${bill.energy_kwh} kWh  amount ${formatYuan(bill.amount_fen)} yuan${bill.estimated ? '  (estimated reading)' : ''}`);
    io.out('');
    io.out(`${'#'.padStart(3)}  ${'code'.padEnd(26)} ${'label'.padEnd(20)} ${'quantity'.padStart(12)} ${'unit'.padEnd(10)} ${'rate'.padStart(12)} ${'amount'.padStart(14)}`);
    for (const line of lines) {
      const rate = line.rate_micros === null ? '' : formatRate(line.rate_micros);
      io.out(`${String(line.seq).padStart(3)}  ${line.code.padEnd(26)} ${line.label.padEnd(20)} ${line.quantity.padStart(12)} ${line.unit.padEnd(10)} ${rate.padStart(12)} ${formatYuan(line.amount_fen).padStart(14)}`);
    }
    if (exceptions.length > 0) io.out('');
    for (const e of exceptions) io.out(`exception ${e.id} ${e.rule} [${e.status}] ${e.detail}`);
    return EXIT_OK;
  });
}

async function issue(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(args, {
    period: { type: 'string' }, 'issue-date': { type: 'string' }, 'due-days': { type: 'string' }, actor: { type: 'string' },
  });
  if (!values.period) throw new GridbillError('CLI_USAGE', '--period is required');
  const now = new Date();
  const issueDate = values['issue-date'] ?? businessDate(now);
  if (!isIsoDate(issueDate)) throw new GridbillError('CLI_USAGE', `--issue-date ${issueDate}: expected YYYY-MM-DD`);
  const dueDays = integerOption('due-days', values['due-days'], 15, 1, 90);
  return withCurrentStore(io, async (store) => {
    const s = await issueBills(store, { period: values.period!, issueDate, dueDays, now: now.toISOString(), actor: actorOption(values.actor) });
    io.out(`issued ${s.issued} bills of ${values.period}, ${formatYuan(s.amountFen)} yuan, due ${s.dueOn}${s.held > 0 ? `; ${s.held} held by open exceptions` : ''}`);
    return EXIT_OK;
  });
}

async function exceptions(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(args, { period: { type: 'string' }, rule: { type: 'string' }, all: { type: 'boolean' }, limit: { type: 'string' } });
  const limit = integerOption('limit', values.limit, 50, 1, 10_000);
  return withCurrentStore(io, async (store) => {
    const page = await listBillExceptions(store, { period: values.period, rule: values.rule, status: values.all ? undefined : 'open', limit });
    for (const e of page.exceptions) io.out(`${e.id}\t${e.period}\t${e.rule}\t${e.status}\tcustomer ${e.customer_no}\tbill ${e.bill_no ?? '-'}\t${e.detail}`);
    io.out(`${page.exceptions.length} exception(s)${page.more ? ' (more: raise --limit)' : ''}`);
    return EXIT_OK;
  });
}

async function resolve(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(args, { accept: { type: 'boolean' }, note: { type: 'string' }, actor: { type: 'string' } }, true);
  const id = integerOption('id', positionals[0], 0, 1, Number.MAX_SAFE_INTEGER);
  if (!values.note) throw new GridbillError('CLI_USAGE', '--note is required: say why');
  const decision = values.accept ? 'accepted' as const : 'resolved' as const;
  return withCurrentStore(io, async (store) => {
    const closed = await resolveBillException(store, {
      exceptionId: id, decision, resolution: values.note!, actor: actorOption(values.actor), now: new Date().toISOString(),
    });
    io.out(`exception ${closed.exceptionId} ${closed.status}`);
    return EXIT_OK;
  });
}

const SUBCOMMANDS: Record<string, Subcommand> = { show, issue, exceptions, resolve };

export const billCommand: Command = {
  name: 'bill',
  summary: 'show, issue and review bills',
  help: [
    'Usage: gridbill bill show BILLNO',
    '       gridbill bill issue --period YYYY-MM [--issue-date YYYY-MM-DD] [--due-days N] [--actor NAME]',
    '       gridbill bill exceptions [--period YYYY-MM] [--rule RULE] [--all] [--limit N]',
    '       gridbill bill resolve ID --note TEXT [--accept] [--actor NAME]',
    '',
    'show        prints a bill with every line and its exceptions',
    'issue       issues the drafts of a period that have no open exception: due date = issue date +',
    '            due days (default 15); each bill posts its receivable to the ledger',
    'exceptions  lists open exceptions (--all: also resolved and accepted ones)',
    'resolve     closes an exception: resolved (the cause was fixed; re-run the period) or, with',
    '            --accept, accepted as it is so the bill can be issued',
  ].join('\n'),
  run: (args, io) => runSubcommand('bill', SUBCOMMANDS, args, io),
};
