/**
 * Opening the stores' database on either backend of test/helpers/database-backends.ts:
 * `openClient(db.name, target)` gives an SqlClient on an SQLite file or a PostgreSQL database
 * (`target` from `db.url()`); opening the same target again is another connection to the same
 * database (a restart, or a second replica). Clients opened here are closed by `closeAll()`.
 */
import { PostgresClient } from '../../../src/db/postgres-client.ts';
import type { SqlClient } from '../../../src/db/sql.ts';
import { SqliteClient } from '../../../src/db/sqlite-client.ts';

export type BackendName = 'sqlite' | 'postgres';

export function sqlClients() {
  const open: SqlClient[] = [];
  return {
    async open(name: BackendName, target: string): Promise<SqlClient> {
      const client = name === 'sqlite' ? new SqliteClient(target) : await PostgresClient.open(target, { max: 5 });
      open.push(client);
      return client;
    },
    /** Closes every client opened here (closing twice is harmless). */
    async closeAll(): Promise<void> {
      for (const client of open.splice(0)) await client.close().catch(() => undefined);
    },
  };
}
