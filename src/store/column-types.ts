// Column types that mean the same thing on every supported engine. SQL Server needs nvarchar for
// Chinese text and cannot index nvarchar(max); SQLite ignores lengths; PostgreSQL checks them.

import { sql, type ColumnDefinitionBuilder, type CreateTableBuilder, type RawBuilder } from 'kysely';
import type { DialectName } from './database.ts';

export interface ColumnTypes {
  /** Bounded text (indexable). */
  str(length: number): RawBuilder<unknown>;
  /** Unbounded text: JSON documents, responses. */
  text(): RawBuilder<unknown>;
  int(): RawBuilder<unknown>;
  /** Integer fen and other 64-bit counts. */
  big(): RawBuilder<unknown>;
  /** Adds an auto-generated integer primary key named id. */
  id<T extends string>(table: CreateTableBuilder<T, never>): CreateTableBuilder<T, 'id'>;
}

export function columnTypes(dialect: DialectName): ColumnTypes {
  const idColumn = (col: ColumnDefinitionBuilder): ColumnDefinitionBuilder => {
    switch (dialect) {
      case 'sqlite': return col.primaryKey().autoIncrement();
      case 'postgres': return col.primaryKey().generatedAlwaysAsIdentity();
      case 'mssql': return col.primaryKey().identity();
    }
  };
  return {
    str: (length) => sql.raw(dialect === 'mssql' ? `nvarchar(${length})` : dialect === 'postgres' ? `varchar(${length})` : 'text'),
    text: () => sql.raw(dialect === 'mssql' ? 'nvarchar(max)' : 'text'),
    int: () => sql.raw(dialect === 'mssql' ? 'int' : 'integer'),
    big: () => sql.raw('bigint'),
    id: (table) => table.addColumn('id', sql.raw(dialect === 'sqlite' ? 'integer' : 'bigint'), idColumn),
  };
}
