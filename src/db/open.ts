/**
 * Opens the database the bot's state lives in: the PostgreSQL server of TRICHDAN_DATABASE_URL
 * (several replicas), else the SQLite file TRICHDAN_DB (one process).
 */
import type { Config } from '../config.ts';
import { PostgresClient } from './postgres-client.ts';
import type { SqlClient } from './sql.ts';
import { SqliteClient } from './sqlite-client.ts';

export async function openSqlClient(
  config: Pick<Config, 'dbPath' | 'databaseUrl'>,
  log: (line: string) => void = () => {},
): Promise<SqlClient> {
  if (!config.databaseUrl) return new SqliteClient(config.dbPath);
  return PostgresClient.open(config.databaseUrl, {
    onIdleError: (error) => log(`database: a pooled connection was closed by the server (${error.message.split('\n')[0]}); it is replaced on the next query`),
  });
}
