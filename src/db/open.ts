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
  // A server restart closes every pooled connection at once: said once a minute, not once per connection.
  let saidAt = 0;
  return PostgresClient.open(config.databaseUrl, {
    onIdleError: (error) => {
      if (Date.now() - saidAt < 60_000) return;
      saidAt = Date.now();
      log(`database: the server closed pooled connections (${error.message.split('\n')[0]}); they are replaced on the next query`);
    },
  });
}
