import { existsSync } from 'node:fs';
import path from 'node:path';
import { config as loadDotenv } from 'dotenv';
import { z } from 'zod';
import { UserError } from './errors.ts';
import { timeSchema, zoneSchema } from './time-of-day.ts';

/** A setting has a bad value: the message names the variable and what is expected. */
export class ConfigError extends UserError {
  override name = 'ConfigError';
}

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Every setting of trichdan, read from the environment (and `.env`). Names are the env variable names. */
const schema = z.object({
  TRICHDAN_CORPUS_DIR: z.string().min(1).default('corpus'),
  TRICHDAN_INDEX_DIR: z.string().min(1).default('embeddings'),
  TRICHDAN_MODEL: z.string().min(1).default('Xenova/multilingual-e5-small'),
  TRICHDAN_MODELS_DIR: z.string().min(1).default('models'),
  TRICHDAN_MODEL_QUANTIZED: bool.default(true),
  TRICHDAN_ALLOW_REMOTE_MODELS: bool.default(true),
  /** Hugging Face hub (or a mirror) that models are downloaded from. */
  TRICHDAN_HF_ENDPOINT: z.url().default('https://huggingface.co/'),
  /** Use the `query: ` / `passage: ` prefixes of the E5 family (off for models without them). */
  TRICHDAN_MODEL_PREFIXES: bool.default(true),
  TRICHDAN_EMBED_BATCH: int(1, 512).default(16),
  TRICHDAN_CHUNK_CHARS: int(100, 10_000).default(1600),
  TRICHDAN_CHUNK_OVERLAP: int(0, 10).default(1),
  TRICHDAN_TOP_K: int(1, 50).default(3),
  /** Abstain when the best passage's confidence is below this (0..1); calibrated on the dev questions. */
  TRICHDAN_MIN_CONFIDENCE: z.coerce.number().min(0).max(1).default(0.27),
  TRICHDAN_MIN_CONFIDENCE_EN: z.coerce.number().min(0).max(1).default(0.35),
  TRICHDAN_MAX_QUESTION_CHARS: int(50, 100_000).default(1000),
  TRICHDAN_LEXICON: z.string().default(''),
  TRICHDAN_HNSW_M: int(4, 128).default(32),
  TRICHDAN_HNSW_EF_CONSTRUCTION: int(10, 2000).default(200),
  TRICHDAN_HNSW_EF_SEARCH: int(10, 2000).default(400),
  TRICHDAN_DB: z.string().min(1).default('data/trichdan.sqlite'),
  /** A PostgreSQL server shared by several replicas (postgres://user:password@host:5432/db); empty: the SQLite file TRICHDAN_DB. */
  TRICHDAN_DATABASE_URL: z
    .string()
    .regex(/^(postgres|postgresql):\/\/\S+$/, 'expected a PostgreSQL URL, e.g. postgres://trichdan:secret@db.example.org:5432/trichdan')
    .or(z.literal(''))
    .default(''),
  /** Replicas: an update not handled this many seconds after it arrived was left by a dead replica and is answered by another. */
  TRICHDAN_INBOX_ORPHAN_SECONDS: z.coerce.number().min(1).max(3600).default(120),
  /** Seconds between a replica's checks of the shared article registry (PostgreSQL only). */
  TRICHDAN_REGISTRY_SYNC_SECONDS: z.coerce.number().min(0.1).max(3600).default(2),

  TELEGRAM_BOT_TOKEN: z.string().default(''),
  TELEGRAM_API_ROOT: z.url().default('https://api.telegram.org'),
  TRICHDAN_BOT_MODE: z.enum(['polling', 'webhook']).default('polling'),
  TRICHDAN_WEBHOOK_URL: z.string().default(''),
  TRICHDAN_WEBHOOK_PORT: int(1, 65535).default(8443),
  /** Interface the webhook server listens on: loopback behind a reverse proxy by default; 0.0.0.0 for every interface. */
  TRICHDAN_WEBHOOK_HOST: z.string().min(1).default('127.0.0.1'),
  TRICHDAN_WEBHOOK_SECRET: z.string().default(''),
  /** Questions a user may ask per minute before getting a "slow down" reply. */
  TRICHDAN_RATE_LIMIT_PER_MINUTE: int(1, 1000).default(20),
  /** Worker processes the bot answers questions in (each holds its own copy of the index); 0: the bot's own process. */
  TRICHDAN_ASK_WORKERS: int(0, 64).default(1),

  /** Read as /subscribe reads a time or a zone: `7:30` → `07:30`, `asia/ho_chi_minh` → `Asia/Ho_Chi_Minh`. */
  TRICHDAN_DIGEST_DEFAULT_TIME: timeSchema.default('07:30'),
  TRICHDAN_DIGEST_DEFAULT_TZ: zoneSchema.default('Asia/Ho_Chi_Minh'),
  /** A digest missed while the bot was down is still sent if it is at most this late. */
  TRICHDAN_DIGEST_GRACE_MINUTES: int(0, 24 * 60).default(180),
  /** Overall broadcast rate (messages per second). */
  TRICHDAN_BROADCAST_PER_SECOND: int(1, 30).default(25),
  /** Seconds between the digest scheduler's looks at who is due. */
  TRICHDAN_DIGEST_TICK_SECONDS: z.coerce.number().min(0.1).max(600).default(30),
  /** Seconds a replica holds a claimed digest without progress before another may take it over. */
  TRICHDAN_DIGEST_LEASE_SECONDS: z.coerce.number().min(1).max(3600).default(60),

  /** Telegram user ids allowed to /add, /remove, /feeds, /reindex (comma- or space-separated). */
  TRICHDAN_ADMIN_IDS: z
    .string()
    .regex(/^\s*(\d+([\s,]+\d+)*)?\s*$/, 'expected Telegram user ids separated by commas, e.g. 12345678,87654321')
    .default(''),
  /** RSS 2.0 / Atom feed URLs polled by the bot (comma- or space-separated). */
  TRICHDAN_FEEDS: z.string().default(''),
  /** Minutes between feed polls. */
  TRICHDAN_FEED_INTERVAL: z.coerce.number().min(0.05).max(24 * 60).default(15),
  /** Let URLs resolve to loopback, private or link-local addresses (only for tests and intranets). */
  TRICHDAN_ALLOW_PRIVATE_URLS: bool.default(false),
  TRICHDAN_FETCH_TIMEOUT_MS: int(1000, 120_000).default(15_000),
  TRICHDAN_FETCH_MAX_BYTES: int(10_000, 100_000_000).default(5_000_000),
  /** Seconds between checks of the corpus folder for files added or changed by hand (0: off). */
  TRICHDAN_WATCH_SECONDS: z.coerce.number().min(0).max(3600).default(5),

  TRICHDAN_LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
});

export type RawConfig = z.infer<typeof schema>;

/** Validated settings, with paths resolved against the working directory. */
export interface Config {
  corpusDir: string;
  indexDir: string;
  model: {
    id: string;
    modelsDir: string;
    quantized: boolean;
    allowRemote: boolean;
    hubUrl: string;
    prefixes: boolean;
    batchSize: number;
  };
  chunking: { maxChars: number; overlapSentences: number };
  retrieval: { topK: number; minConfidence: number; minConfidenceEnglish: number; maxQuestionChars: number };
  /** Resolved lexicon path, or null when none is configured or found. */
  lexiconPath: string | null;
  hnsw: { m: number; efConstruction: number; efSearch: number };
  dbPath: string;
  /** PostgreSQL URL shared by replicas, or null for the SQLite file {@link dbPath}. */
  databaseUrl: string | null;
  /** How often a replica reads the shared article registry, in ms. */
  registrySyncMs: number;
  /** Replicas: age after which an unhandled update in the shared inbox is taken over, in ms. */
  inboxOrphanMs: number;
  telegram: {
    token: string;
    apiRoot: string;
    mode: 'polling' | 'webhook';
    webhookUrl: string;
    webhookPort: number;
    webhookHost: string;
    webhookSecret: string;
    ratePerMinute: number;
    /** Worker processes `ask` runs in, in the bot (0: the bot's own process). */
    askWorkers: number;
  };
  digest: {
    defaultTime: string;
    defaultZone: string;
    graceMinutes: number;
    broadcastPerSecond: number;
    /** Time between the scheduler's ticks, and how long a claim is held without progress (ms). */
    tickMs: number;
    leaseMs: number;
  };
  /** Live corpus: who may change it, feeds, and the limits of every web request. */
  ingest: {
    adminIds: number[];
    feeds: string[];
    feedIntervalMs: number;
    watchMs: number;
    fetch: { timeoutMs: number; maxBytes: number; maxRedirects: number; allowPrivate: boolean; userAgent: string };
  };
  logLevel: 'error' | 'warn' | 'info' | 'debug';
}

/** Sent as User-Agent with every web request. */
export const USER_AGENT = 'trichdan/0.1 (+https://github.com/trichdan/trichdan; news citation bot)';

/** Splits a comma- or space-separated setting into its items. */
const items = (value: string): string[] => value.split(/[\s,]+/u).filter(Boolean);

/** Lexicon locations tried when TRICHDAN_LEXICON is not set: the one shipped in the repo first. */
const DEFAULT_LEXICON_PATHS = ['lexicons/en-vi/en-vi.tsv', 'lexicons/en-vi.tsv', '../shared/lexicons/en-vi/en-vi.tsv'];

/**
 * Reads `.env` (if present) and the environment, validates every setting and returns the config.
 * Throws one ConfigError listing every bad setting.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  options: { cwd?: string; dotenv?: boolean } = {},
): Config {
  const cwd = options.cwd ?? process.cwd();
  let merged: Record<string, string | undefined> = { ...env };
  if (options.dotenv !== false) {
    const fromFile: Record<string, string> = {};
    loadDotenv({ path: path.join(cwd, '.env'), processEnv: fromFile, quiet: true });
    merged = { ...fromFile, ...env };
  }
  // Empty strings mean "unset" for settings with defaults.
  const cleaned = Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '?');
      const value = key === 'TELEGRAM_BOT_TOKEN' ? '(hidden)' : JSON.stringify(cleaned[key]);
      return `${key}=${value}: ${issue.message}`;
    });
    throw new ConfigError(`Bad setting${problems.length > 1 ? 's' : ''}: ${problems.join('; ')}`);
  }
  const raw = parsed.data;
  const resolve = (p: string) => path.resolve(cwd, p);
  let lexiconPath: string | null = null;
  if (raw.TRICHDAN_LEXICON) lexiconPath = resolve(raw.TRICHDAN_LEXICON);
  else lexiconPath = DEFAULT_LEXICON_PATHS.map(resolve).find((p) => existsSync(p)) ?? null;

  return {
    corpusDir: resolve(raw.TRICHDAN_CORPUS_DIR),
    indexDir: resolve(raw.TRICHDAN_INDEX_DIR),
    model: {
      id: raw.TRICHDAN_MODEL,
      modelsDir: resolve(raw.TRICHDAN_MODELS_DIR),
      quantized: raw.TRICHDAN_MODEL_QUANTIZED,
      allowRemote: raw.TRICHDAN_ALLOW_REMOTE_MODELS,
      hubUrl: raw.TRICHDAN_HF_ENDPOINT.replace(/\/*$/, '/'),
      prefixes: raw.TRICHDAN_MODEL_PREFIXES,
      batchSize: raw.TRICHDAN_EMBED_BATCH,
    },
    chunking: { maxChars: raw.TRICHDAN_CHUNK_CHARS, overlapSentences: raw.TRICHDAN_CHUNK_OVERLAP },
    retrieval: {
      topK: raw.TRICHDAN_TOP_K,
      minConfidence: raw.TRICHDAN_MIN_CONFIDENCE,
      minConfidenceEnglish: raw.TRICHDAN_MIN_CONFIDENCE_EN,
      maxQuestionChars: raw.TRICHDAN_MAX_QUESTION_CHARS,
    },
    lexiconPath,
    hnsw: {
      m: raw.TRICHDAN_HNSW_M,
      efConstruction: raw.TRICHDAN_HNSW_EF_CONSTRUCTION,
      efSearch: raw.TRICHDAN_HNSW_EF_SEARCH,
    },
    dbPath: resolve(raw.TRICHDAN_DB),
    databaseUrl: raw.TRICHDAN_DATABASE_URL || null,
    registrySyncMs: Math.round(raw.TRICHDAN_REGISTRY_SYNC_SECONDS * 1000),
    inboxOrphanMs: Math.round(raw.TRICHDAN_INBOX_ORPHAN_SECONDS * 1000),
    telegram: {
      token: raw.TELEGRAM_BOT_TOKEN,
      apiRoot: raw.TELEGRAM_API_ROOT.replace(/\/+$/, ''),
      mode: raw.TRICHDAN_BOT_MODE,
      webhookUrl: raw.TRICHDAN_WEBHOOK_URL,
      webhookPort: raw.TRICHDAN_WEBHOOK_PORT,
      webhookHost: raw.TRICHDAN_WEBHOOK_HOST,
      webhookSecret: raw.TRICHDAN_WEBHOOK_SECRET,
      ratePerMinute: raw.TRICHDAN_RATE_LIMIT_PER_MINUTE,
      askWorkers: raw.TRICHDAN_ASK_WORKERS,
    },
    digest: {
      defaultTime: raw.TRICHDAN_DIGEST_DEFAULT_TIME,
      defaultZone: raw.TRICHDAN_DIGEST_DEFAULT_TZ,
      graceMinutes: raw.TRICHDAN_DIGEST_GRACE_MINUTES,
      broadcastPerSecond: raw.TRICHDAN_BROADCAST_PER_SECOND,
      tickMs: Math.round(raw.TRICHDAN_DIGEST_TICK_SECONDS * 1000),
      leaseMs: Math.round(raw.TRICHDAN_DIGEST_LEASE_SECONDS * 1000),
    },
    ingest: {
      adminIds: items(raw.TRICHDAN_ADMIN_IDS).map(Number),
      feeds: items(raw.TRICHDAN_FEEDS),
      feedIntervalMs: Math.round(raw.TRICHDAN_FEED_INTERVAL * 60_000),
      watchMs: Math.round(raw.TRICHDAN_WATCH_SECONDS * 1000),
      fetch: {
        timeoutMs: raw.TRICHDAN_FETCH_TIMEOUT_MS,
        maxBytes: raw.TRICHDAN_FETCH_MAX_BYTES,
        maxRedirects: 5,
        allowPrivate: raw.TRICHDAN_ALLOW_PRIVATE_URLS,
        userAgent: USER_AGENT,
      },
    },
    logLevel: raw.TRICHDAN_LOG_LEVEL,
  };
}
