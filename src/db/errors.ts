/**
 * One log line for a failed database call. A server that is down or restarting is the one
 * failure an operator must recognise at a glance, so it is named as such; anything else is the
 * error's first line (never a stack trace in the log).
 */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '08006', '08001', '08003']);

/** True when the error says the database server cannot be reached (down, restarting, network). */
export function isDatabaseUnreachable(err: unknown): boolean {
  const code = String((err as { code?: unknown })?.code ?? '');
  const message = String((err as Error)?.message ?? '');
  return UNREACHABLE_CODES.has(code) || /Connection terminated|connection timeout|timeout exceeded when trying to connect|Query read timeout/i.test(message);
}

export function describeDatabaseError(err: unknown): string {
  const first = String((err as Error)?.message ?? err).split('\n')[0];
  return isDatabaseUnreachable(err) ? `the database is unreachable (${first})` : first;
}
