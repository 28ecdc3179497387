import { businessDate } from '../clock.ts';
import { isIsoDate } from '../domain/dates.ts';
import { formatRate, formatYuan } from '../domain/money.ts';
import { GridbillError } from '../errors.ts';
import { exceptionsOfBill, findBillByNo, linesOfBill, listExceptions, resolveException } from '../store/bill.repository.ts';
import { appendAudit } from '../store/audit.repository.ts';
import { issueBills } from '../usecases/issue-bills.ts';
import { actorOption, withCurrentStore } from './store-command.ts';
import { EXIT_FAILURE, EXIT_OK, integerOption, parseOptions, runSubcommand, type CliIo, type Command, type Subcommand } from './command.ts';

async function show(args: readonly string[], io: CliIo): Promise<number> {
  const { positionals } = parseOptions(args, {}, true);
  const billNo = positionals[0];
  if (!billNo || positionals.length > 1) throw new GridbillError('CLI_USAGE', 'bill show needs one bill number');
  return withCurrentStore(io, async (store) => {
    const bill = await findBillByNo(store, billNo);
    if (!bill) throw new GridbillError('NOT_FOUND', `bill ${billNo}`);
    const customer = await store.db.selectFrom('customers').selectAll().where('id', '=', bill.customer_id).executeTakeFirstOrThrow();
    io.out(`bill ${bill.bill_no}  period ${bill.period}  status ${bill.status}${bill.due_on ? `  due ${bill.due_on}` : ''}`);
    io.out(`customer ${customer.customer_no} ${customer.name} (${customer.category}, ${customer.voltage})  tariff ${bill.tariff_code}`);
    io.out(`energy ${bill.energy_kwh} kWh  amount ${formatYuan(bill.amount_fen)} yuan${bill.estimated ? '  (estimated reading)' : ''}`);
    io.out('');
    io.out(`${'#'.padStart(3)}  ${'code'.padEnd(26)} ${'label'.padEnd(20)} ${'quantity'.padStart(12)} ${'unit'.padEnd(10)} ${'rate'.padStart(12)} ${'amount'.padStart(14)}`);
    for (const line of await linesOfBill(store, bill.id)) {
      const rate = line.rate_micros === null ? '' : formatRate(line.rate_micros);
      io.out(`${String(line.seq).padStart(3)}  ${line.code.padEnd(26)} ${line.label.padEnd(20)} ${line.quantity.padStart(12)} ${line.unit.padEnd(10)} ${rate.padStart(12)} ${formatYuan(line.amount_fen).padStart(14)}`);
    }
    const exceptions = await exceptionsOfBill(store, bill.id);
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
    io.out(`issued ${s.issued} bills of ${values.period}, ${formatYuan(s.amountFen)} yuan, due ${s.dueOn}`);
    return EXIT_OK;
  });
}

async function exceptions(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(args, { period: { type: 'string' }, rule: { type: 'string' }, all: { type: 'boolean' }, limit: { type: 'string' } });
  const limit = integerOption('limit', values.limit, 50, 1, 10_000);
  return withCurrentStore(io, async (store) => {
    const rows = await listExceptions(store, { period: values.period, rule: values.rule, status: values.all ? undefined : 'open', limit });
    for (const e of rows) io.out(`${e.id}\t${e.period}\t${e.rule}\t${e.status}\tcustomer ${e.customer_id}\tbill ${e.bill_id ?? '-'}\t${e.detail}`);
    io.out(`${rows.length} exception(s)`);
    return EXIT_OK;
  });
}

async function resolve(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(args, { accept: { type: 'boolean' }, note: { type: 'string' }, actor: { type: 'string' } }, true);
  const id = integerOption('id', positionals[0], 0, 1, Number.MAX_SAFE_INTEGER);
  if (!values.note) throw new GridbillError('CLI_USAGE', '--note is required: say why');
  const status = values.accept ? 'accepted' as const : 'resolved' as const;
  const actor = actorOption(values.actor);
  return withCurrentStore(io, async (store) => {
    const at = new Date().toISOString();
    const changed = await resolveException(store, id, { status, by: actor, at, resolution: values.note! });
    if (!changed) {
      io.err(`gridbill: NOT_FOUND: no open exception ${id}`);
      return EXIT_FAILURE;
    }
    await appendAudit(store, { at, actor, action: `exception-${status}`, subject: String(id), detail: { note: values.note } });
    io.out(`exception ${id} ${status}`);
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
