/**
 * The one seam between the stores and their database: a small async SQL interface with two
 * engines behind it, the embedded SQLite file (better-sqlite3, the default) and a PostgreSQL
 * server (`pg`, for several replicas). The stores write portable SQL with `?` placeholders;
 * where the two dialects differ, they ask {@link SqlClient.dialect}.
 */

/** Which engine is behind a {@link SqlClient}. */
export type Dialect = 'sqlite' | 'postgres';

/** What a write changed. */
export interface RunResult {
  changes: number;
}

/** Statements on one database (or inside one transaction). */
export interface SqlExecutor {
  readonly dialect: Dialect;
  /** Rows of a SELECT (or of a statement with RETURNING). */
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** The first row, or undefined. */
  get<T>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  /** Runs a write. */
  run(sql: string, params?: readonly unknown[]): Promise<RunResult>;
}

/** A database connection (SQLite) or pool (PostgreSQL). */
export interface SqlClient extends SqlExecutor {
  /**
   * Runs `work` in one transaction, committed when it resolves and rolled back when it throws.
   * Statements inside must go through the executor given to `work`.
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Cheap round trip: throws when the database cannot be reached. */
  ping(): Promise<void>;
  /** Human-readable name of the database (a file path, or host/port/database without the password). */
  readonly description: string;
  close(): Promise<void>;
}

/** Converts `?` placeholders to PostgreSQL's `$1, $2, …` (the stores never put `?` inside string literals). */
export function numberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** Values per `IN (…)` list in one statement: well under SQLite's 32,766 parameters. */
const IN_LIST_BATCH = 500;

/**
 * `values` a batch at a time for statements that look many of them up with `IN (…)`, each batch
 * with its placeholders ("?, ?, ?").
 */
export function* inListBatches<T>(values: readonly T[]): Generator<{ batch: T[]; placeholders: string }> {
  for (let i = 0; i < values.length; i += IN_LIST_BATCH) {
    const batch = values.slice(i, i + IN_LIST_BATCH);
    yield { batch, placeholders: batch.map(() => '?').join(', ') };
  }
}
