// Group commit for SQLite. A durable commit (synchronous=FULL) waits for the disk, a few hundred
// microseconds that dwarf the statements of a payment; and SQLite has one writer, so concurrent
// payments queue for it anyway. Here, units of work that arrive while a commit is in progress are
// gathered and run one after the other in ONE transaction, each inside its own savepoint, then
// committed together: one disk wait for the whole group.
//
// - Each unit is isolated: one that throws is rolled back to its savepoint and gets its error;
//   the others commit. A unit sees the writes of the units before it in the group, as it would
//   had they committed one by one in that order.
// - Nothing is answered before the group's commit returns: a caller's result is durable when it
//   gets it. If the commit itself fails, every unit of the group gets that error.
// - Other engines let transactions of different customers proceed in parallel (and PostgreSQL
//   groups WAL flushes itself), so there a unit is simply its own transaction.

import { CompiledQuery } from 'kysely';
import { LIMITS } from '../limits.ts';
import { recordGroupCommit } from '../ops/metrics.ts';
import { inTransaction, type Store } from './database.ts';

interface Unit {
  readonly work: (tx: Store) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

class CommitGroup {
  private queue: Unit[] = [];
  private running = false;

  constructor(private readonly store: Store, private readonly max: number) {}

  submit<T>(work: (tx: Store) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.running) {
        this.running = true;
        // Let the requests already parsed in this turn of the event loop join the first group.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue.splice(0, this.max);
      const started = performance.now();
      let outcomes: Outcome[];
      try {
        outcomes = await inTransaction(this.store, (tx) => runUnits(tx, group));
      } catch (error) {
        outcomes = group.map(() => ({ ok: false, error }));
      }
      recordGroupCommit(group.length, (performance.now() - started) / 1000);
      group.forEach((unit, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) unit.resolve(outcome.value);
        else unit.reject(outcome.error);
      });
    }
    this.running = false;
  }
}

// Compiled once: three statements per payment that need no building.
const SAVEPOINT = CompiledQuery.raw('savepoint unit');
const RELEASE = CompiledQuery.raw('release savepoint unit');
const ROLLBACK_TO = CompiledQuery.raw('rollback to savepoint unit');

async function runUnits(tx: Store, group: readonly Unit[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const unit of group) {
    await tx.db.executeQuery(SAVEPOINT);
    try {
      outcomes.push({ ok: true, value: await unit.work(tx) });
      await tx.db.executeQuery(RELEASE);
    } catch (error) {
      await tx.db.executeQuery(ROLLBACK_TO);
      await tx.db.executeQuery(RELEASE);
      outcomes.push({ ok: false, error });
    }
  }
  return outcomes;
}

const groups = new WeakMap<object, CommitGroup>();

/**
 * Runs `work` in a transaction; on SQLite, in a transaction shared with the other work submitted
 * meanwhile (see the header). Call with the store, never inside a transaction.
 */
export function inGroupCommit<T>(store: Store, work: (tx: Store) => Promise<T>): Promise<T> {
  if (store.db.isTransaction) throw new Error('inGroupCommit opens its own transaction: call it with the store');
  if (store.dialect !== 'sqlite') return inTransaction(store, work);
  let group = groups.get(store.db);
  if (group === undefined) groups.set(store.db, group = new CommitGroup(store, LIMITS.groupCommitUnitsMax));
  return group.submit(work);
}
