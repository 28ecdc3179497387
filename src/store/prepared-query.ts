// Compiled queries for the request paths. Building a Kysely query (expression builders, parsing
// references, freezing nodes) and compiling it to SQL costs more than running a short indexed
// query on SQLite, and QueryArrears and Pay send the same few statements with new values each
// time. A prepared query is built once per Kysely instance (so per dialect: `?`, `$1` and `@1`
// differ) with named placeholders in place of the values, compiled, and then each call copies
// the compiled parameter array and puts the values in by position. Inside a SQLite transaction
// the statement then runs on the connection directly (see runOnSqlite); a read outside one runs
// on the store's read-only connection (Store.sqliteReader), which sees committed state only.
//
// Only values that the compiler binds as parameters can be placeholders. Those it writes into the
// SQL text (`lit`, SQL Server's `top(n)`) would carry the placeholder itself into the text, and a
// list whose length varies (`in (…)`, a multi-row insert) changes the text: compiling refuses the
// first, and the second needs a fixed shape (one prepared query per length) or the built path.
//
// The compiled form is kept per Kysely adapter: a Kysely instance creates its adapter once and
// hands it to every transaction it opens, so a transaction uses the compiled form of its
// database, and two databases never share one. Plugins are not part of the key: a query is
// compiled with the plugins of the first database instance that ran it (gridbill uses none).

import type BetterSqlite3 from 'better-sqlite3';
import type { CompiledQuery, Compilable, Insertable, Kysely, QueryResult } from 'kysely';
import { preparedStatement, sqliteStatements, type Database, type DialectName, type Store } from './database.ts';

const PLACEHOLDER = Symbol('prepared-query placeholder');

interface Placeholder {
  readonly [PLACEHOLDER]: string;
}

function isPlaceholder(value: unknown): value is Placeholder {
  return typeof value === 'object' && value !== null && PLACEHOLDER in value;
}

/** The placeholder of a parameter, typed as the value it stands for so the builder type-checks. */
export type Param<P> = <K extends keyof P & string>(name: K) => P[K];

/** Builds the query; `dialect` for the few statements that differ (RETURNING vs OUTPUT). */
export type QueryBuild<P, R> = (db: Kysely<Database>, param: Param<P>, dialect: DialectName) => Compilable<R>;

interface Compiled<R> {
  readonly query: CompiledQuery<R>;
  /** Per position of the parameter array: the parameter's name, or undefined for a constant. */
  readonly slots: readonly (string | undefined)[];
}

export class PreparedQuery<P extends object, R> {
  private readonly compiled = new WeakMap<object, Compiled<R>>();

  constructor(private readonly build: QueryBuild<P, R>) {}

  /** The query as the store's database compiles it, with its placeholders (compiled on first use). */
  compiledFor(store: Store): CompiledQuery<R> {
    return this.compiledOf(store).query;
  }

  async execute(store: Store, params: P): Promise<R[]> {
    return (await this.run(store, params)).rows;
  }

  async executeTakeFirst(store: Store, params: P): Promise<R | undefined> {
    return (await this.run(store, params)).rows[0];
  }

  run(store: Store, params: P): Promise<QueryResult<R>> {
    const { query, slots } = this.compiledOf(store);
    const values = query.parameters.slice();
    for (let i = 0; i < slots.length; i++) {
      const name = slots[i];
      if (name === undefined) continue;
      const value = (params as Record<string, unknown>)[name];
      if (value === undefined) throw new Error(`prepared query: parameter ${name} is not bound`);
      values[i] = value;
    }
    const statementOf = sqliteStatements(store);
    if (statementOf !== undefined) return Promise.resolve(runOnSqlite<R>(statementOf(query.sql), values));
    const reader = store.db.isTransaction ? undefined : store.sqliteReader;
    if (reader !== undefined) {
      // A read outside a transaction: on the read-only connection, committed state, no waiting.
      const statement = preparedStatement(reader, query.sql);
      if (statement.readonly) return Promise.resolve(runOnSqlite<R>(statement, values));
    }
    return store.db.executeQuery<R>({ query: query.query, queryId: query.queryId, sql: query.sql, parameters: values });
  }

  private compiledOf(store: Store): Compiled<R> {
    const key = store.db.getExecutor().adapter;
    let compiled = this.compiled.get(key);
    if (compiled === undefined) this.compiled.set(key, compiled = compile(store, this.build));
    return compiled;
  }
}

/**
 * What Kysely's SQLite driver does with a statement, without the executor around it (connection
 * provider, mutex, plugins, a promise per step): inside a transaction Kysely already holds the
 * one connection for us, and these statements are the whole of a payment's work.
 */
function runOnSqlite<R>(statement: BetterSqlite3.Statement, values: readonly unknown[]): QueryResult<R> {
  if (statement.reader) return { rows: statement.all(values) as R[] };
  const { changes, lastInsertRowid } = statement.run(values);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}

function compile<P, R>(store: Store, build: QueryBuild<P, R>): Compiled<R> {
  const requested = new Set<string>();
  const param = ((name: string) => {
    requested.add(name);
    return { [PLACEHOLDER]: name };
  }) as Param<P>;
  const query = build(store.db, param, store.dialect).compile();
  const slots = query.parameters.map((value) => (isPlaceholder(value) ? value[PLACEHOLDER] : undefined));
  for (const name of requested) {
    if (!slots.includes(name)) throw new Error(`prepared query: parameter ${name} is not bound in the compiled query (written into its text or left out): ${query.sql}`);
  }
  return { query, slots };
}

/** A query built once per database with named placeholders; see the header. */
export function preparedQuery<P extends object, R>(build: QueryBuild<P, R>): PreparedQuery<P, R> {
  return new PreparedQuery(build);
}

/**
 * The identity of a store's database for caches kept beside it (its Kysely adapter, shared by its
 * transactions): what one database says about its rows must not answer for another.
 */
export function databaseIdentity(store: Store): object {
  return store.db.getExecutor().adapter;
}

type Row = Readonly<Record<string, unknown>>;

/**
 * Multi-row inserts of a fixed set of columns: one prepared query per row count up to `rowsMax`
 * (the SQL text lists every row), the built query beyond. Every column must be given in every row.
 */
export class PreparedInsert<T extends keyof Database & string> {
  private readonly byCount: PreparedQuery<Row, unknown>[];

  constructor(private readonly table: T, private readonly columns: readonly (keyof Insertable<Database[T]> & string)[], rowsMax: number) {
    this.byCount = Array.from({ length: rowsMax }, (_, i) => preparedQuery<Row, unknown>((db, param) => {
      const rows = Array.from({ length: i + 1 }, (_r, row) => Object.fromEntries(columns.map((c) => [c, param(`${c}:${row}`)])));
      // The generic table defeats Kysely's column inference; the columns are typed by the constructor.
      return db.insertInto(table).values(rows as never);
    }));
  }

  async run(store: Store, rows: readonly Insertable<Database[T]>[]): Promise<void> {
    if (rows.length === 0) return;
    const prepared = this.byCount[rows.length - 1];
    if (prepared === undefined) {
      await store.db.insertInto(this.table).values([...rows] as never).execute();
      return;
    }
    const params: Record<string, unknown> = {};
    rows.forEach((row, i) => {
      for (const column of this.columns) params[`${column}:${i}`] = (row as Row)[column];
    });
    await prepared.run(store, params);
  }
}
