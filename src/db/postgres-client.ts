/**
 * {@link SqlClient} over a PostgreSQL connection pool (`pg`), for several bot replicas sharing
 * one database. Opening connects once, runs the migrations this database has not seen (under an
 * advisory lock, so replicas starting together never run one twice) and fails with one clear
 * line when the server cannot be reached. A connection the server drops later is replaced by the
 * pool on the next query: a database that comes back needs no restart.
 */
import pg from 'pg';
import { DigestStoreError } from './database.ts';
import { isDatabaseUnreachable } from './errors.ts';
import { POSTGRES_MIGRATIONS } from './postgres-migrations.ts';
import { numberedPlaceholders, type RunResult, type SqlClient, type SqlExecutor } from './sql.ts';

/** int8 (COUNT, BIGSERIAL, chat ids) and numeric as JavaScript numbers: every value we store fits in 2^53. */
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === 20 || oid === 1700 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text'),
};

/** Any key would do; this one is "trichdan" in ASCII, so it is recognisable in pg_locks. */
const MIGRATION_LOCK = 0x7472696368;

/** The URL without its password, for logs and messages. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.href;
  } catch {
    return 'TRICHDAN_DATABASE_URL';
  }
}

function executor(query: (sql: string, params: readonly unknown[]) => Promise<pg.QueryResult>): SqlExecutor {
  return {
    dialect: 'postgres',
    all: async <T>(sql: string, params: readonly unknown[] = []) => (await query(sql, params)).rows as T[],
    get: async <T>(sql: string, params: readonly unknown[] = []) => (await query(sql, params)).rows[0] as T | undefined,
    run: async (sql: string, params: readonly unknown[] = []): Promise<RunResult> => ({
      changes: (await query(sql, params)).rowCount ?? 0,
    }),
  };
}

export class PostgresClient implements SqlClient {
  readonly dialect = 'postgres' as const;
  readonly description: string;
  private readonly direct: SqlExecutor;

  private constructor(private readonly pool: pg.Pool, url: string) {
    this.description = redactedUrl(url);
    this.direct = executor((sql, params) => this.pool.query(numberedPlaceholders(sql), params as unknown[]));
  }

  /**
   * Connects and migrates. `onIdleError` hears about pooled connections the server closed
   * (a restart): the pool replaces them, nothing else to do.
   */
  static async open(
    url: string,
    options: { max?: number; onIdleError?: (error: Error) => void; /** false: only connect (doctor reads, never writes). */ migrate?: boolean } = {},
  ): Promise<PostgresClient> {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 10,
      connectionTimeoutMillis: 5000,
      // A query never hangs a tick or an update for long when the server is gone.
      query_timeout: 15_000,
      types,
    });
    pool.on('error', (error) => options.onIdleError?.(error));
    const client = new PostgresClient(pool, url);
    try {
      if (options.migrate === false) await client.ping();
      else await client.migrate();
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error instanceof DigestStoreError ? error : new DigestStoreError(postgresProblem(url, error));
    }
    return client;
  }

  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.direct.all<T>(sql, params);
  }

  get<T>(sql: string, params?: readonly unknown[]): Promise<T | undefined> {
    return this.direct.get<T>(sql, params);
  }

  run(sql: string, params?: readonly unknown[]): Promise<RunResult> {
    return this.direct.run(sql, params);
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const connection = await this.pool.connect();
    try {
      await connection.query('BEGIN');
      const result = await work(executor((sql, params) => connection.query(numberedPlaceholders(sql), params as unknown[])));
      await connection.query('COMMIT');
      return result;
    } catch (error) {
      await connection.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      connection.release();
    }
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Schema version of this database (rows in schema_migrations). */
  async schemaVersion(): Promise<number> {
    const table = await this.get<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t");
    if (!table?.t) return 0;
    const row = await this.get<{ v: number }>('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations');
    return row?.v ?? 0;
  }

  /** Applies every migration not yet applied, each in its own transaction with its version row. */
  private async migrate(): Promise<void> {
    const connection = await this.pool.connect();
    try {
      await connection.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await connection.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
      const { rows } = await connection.query('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations');
      const version = Number(rows[0].v);
      if (version > POSTGRES_MIGRATIONS.length) {
        throw new DigestStoreError(
          `the database ${this.description} (TRICHDAN_DATABASE_URL) is at schema version ${version}, newer than this trichdan knows (${POSTGRES_MIGRATIONS.length}): upgrade trichdan`,
        );
      }
      for (let v = version; v < POSTGRES_MIGRATIONS.length; v++) {
        await connection.query('BEGIN');
        try {
          await connection.query(POSTGRES_MIGRATIONS[v]);
          await connection.query('INSERT INTO schema_migrations (version) VALUES ($1)', [v + 1]);
          await connection.query('COMMIT');
        } catch (error) {
          await connection.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      }
    } finally {
      await connection.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
      connection.release();
    }
  }
}

/** One line for a PostgreSQL database that cannot be used. */
export function postgresProblem(url: string, err: unknown): string {
  const code = String((err as { code?: unknown }).code ?? '');
  const detail = ((err as Error).message ?? String(err)).split('\n')[0];
  const head = `the database ${redactedUrl(url)} (TRICHDAN_DATABASE_URL)`;
  if (isDatabaseUnreachable(err) || /timeout/i.test(detail)) {
    return `${head} cannot be reached (${detail}): check the host and port, and that the server runs`;
  }
  if (code === '28P01' || code === '28000') return `${head} refused the login (${detail}): check the user and password in the URL`;
  if (code === '3D000') return `${head} does not exist (${detail}): create it (createdb) or fix the name in the URL`;
  return `${head} cannot be used (${detail})`;
}
