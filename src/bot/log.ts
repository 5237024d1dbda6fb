/**
 * The bot's log: one line per event on stderr, filtered by level. Callers log ids, lengths,
 * method names and error codes only: never the bot token, never the text of a message.
 */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** Where the bot writes what happens. */
export interface Logger {
  error(line: string): void;
  warn(line: string): void;
  info(line: string): void;
  debug(line: string): void;
}

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** A logger that writes lines at or above `level` to `sink` (default: stderr), prefixed with `bot:`. */
export function createLogger(level: LogLevel, sink: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Logger {
  const at = (l: LogLevel) => (line: string) => {
    if (RANK[l] <= RANK[level]) sink(`bot: ${l === 'info' ? '' : `${l}: `}${line}`);
  };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };

/** Removes anything that looks like a bot token (`123456:ABC…`) from a line before it is logged. */
export function redactToken(line: string): string {
  return line.replace(/\d{5,}:[A-Za-z0-9_-]{30,}/g, '<token>');
}

/** A short description of an error for the log: its name and message, token redacted, no payload. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return redactToken(`${error.name}: ${error.message}`);
  return redactToken(String(error));
}
