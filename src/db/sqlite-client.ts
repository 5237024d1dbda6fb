/**
 * {@link SqlClient} over one better-sqlite3 connection. Statements run synchronously; a
 * transaction may await between its statements, so while one is open every other statement on
 * this connection waits for it (otherwise it would silently join the transaction).
 */
import type Database from 'better-sqlite3';
import { openDatabase } from './database.ts';
import type { RunResult, SqlClient, SqlExecutor } from './sql.ts';

/** Prepared statements kept per connection (see SqliteClient.statement). */
const STATEMENT_CACHE_SIZE = 256;

/**
 * The database a store works on: the open client it is given (shared with the other stores,
 * closed by its owner), or an SQLite file it opens itself (and so closes).
 */
export function storeDatabase(database: SqlClient | string): { sql: SqlClient; owned: boolean } {
  return typeof database === 'string' ? { sql: new SqliteClient(database), owned: true } : { sql: database, owned: false };
}

export class SqliteClient implements SqlClient {
  readonly dialect = 'sqlite' as const;
  readonly db: Database.Database;
  /** Resolves when the open transaction (if any) has ended. */
  private idle: Promise<void> = Promise.resolve();
  /** Whether a transaction holds the connection now. */
  private inTransaction = false;
  private readonly direct: SqlExecutor;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(readonly file: string) {
    this.db = openDatabase(file);
    this.direct = {
      dialect: 'sqlite',
      all: async <T>(sql: string, params: readonly unknown[] = []) => this.statement(sql).all(...params) as T[],
      get: async <T>(sql: string, params: readonly unknown[] = []) => this.statement(sql).get(...params) as T | undefined,
      run: async (sql: string, params: readonly unknown[] = []): Promise<RunResult> => ({
        changes: this.statement(sql).run(...params).changes,
      }),
    };
  }

  /**
   * The prepared statement for `sql`, compiled once and kept (the stores run the same few
   * statements again and again). Multi-row statements vary in shape, so the cache is bounded:
   * when full it starts over.
   */
  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.clear();
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  get description(): string {
    return this.file;
  }

  // Each waits while a transaction holds the connection, checking again after every wait (another
  // transaction may have begun meanwhile), then runs in the same turn as its last check.
  async all<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    while (this.inTransaction) await this.idle;
    return this.direct.all<T>(sql, params);
  }

  async get<T>(sql: string, params?: readonly unknown[]): Promise<T | undefined> {
    while (this.inTransaction) await this.idle;
    return this.direct.get<T>(sql, params);
  }

  async run(sql: string, params?: readonly unknown[]): Promise<RunResult> {
    while (this.inTransaction) await this.idle;
    return this.direct.run(sql, params);
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    // Wait for the transaction before this one, then hold the connection until this one ends
    // (the last check and the taking happen in one turn of the event loop: nobody comes in between).
    while (this.inTransaction) await this.idle;
    this.inTransaction = true;
    let release = () => {};
    this.idle = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(this.direct);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
    } finally {
      this.inTransaction = false;
      release();
    }
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    while (this.inTransaction) await this.idle;
    if (this.db.open) this.db.close();
  }
}
