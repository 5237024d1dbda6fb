/**
 * One replica at a time does a job that must not run twice (polling the feeds): the one that holds
 * a PostgreSQL advisory lock on a connection of its own. The lock is the session's: when that
 * replica dies or loses the database, the server releases it and another replica takes the job
 * at its next try. The holder checks its session every try and gives the job up when it is gone.
 */
import pg from 'pg';

export interface Leadership {
  /** Stops trying, gives the job up and closes the connection. */
  stop(): Promise<void>;
}

/** Any key would do; this one spells "feeds" in ASCII, so it is recognisable in pg_locks. */
export const FEEDS_LOCK = 0x6665656473;

/**
 * Tries to take lock `key` now and then every `everyMs`; calls `onGained` when this replica gets
 * the job and `onLost` when it loses it (the connection broke).
 */
export function takeTurns(
  url: string,
  key: number,
  everyMs: number,
  handlers: { onGained(): void; onLost(): void; log(line: string): void },
): Leadership {
  let client: pg.Client | null = null;
  let holding = false;
  let stopped = false;
  const lose = () => {
    if (!holding) return;
    holding = false;
    handlers.onLost();
  };
  const drop = async () => {
    const old = client;
    client = null;
    lose();
    await old?.end().catch(() => undefined);
  };
  const attempt = async () => {
    if (stopped) return;
    try {
      if (!client) {
        const next = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
        next.on('error', () => void drop()); // the server went away: the lock went with the session
        await next.connect();
        client = next;
      }
      if (holding) {
        await client.query('SELECT 1'); // still our session?
        return;
      }
      const { rows } = await client.query('SELECT pg_try_advisory_lock($1) AS taken', [key]);
      if (rows[0]?.taken && !stopped) {
        holding = true;
        handlers.onGained();
      }
    } catch (error) {
      handlers.log(`leadership: ${(error as Error).message.split('\n')[0]}; trying again in ${everyMs / 1000} s`);
      await drop();
    }
  };
  let running = attempt();
  const timer = setInterval(() => {
    running = running.then(attempt);
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      await drop(); // closing the session releases the lock
    },
  };
}
