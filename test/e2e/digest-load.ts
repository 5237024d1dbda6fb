/**
 * Load figure for the daily digest: N subscribers due at the same minute, delivered by the real
 * scheduler (real engine on the seed corpus, real grammY Api, real pacing) to the Bot API
 * emulator on 127.0.0.1. Reports the time, the messages sent, and checks that every chat got
 * exactly its digest: none lost, none duplicated.
 *
 *   npx tsx test/e2e/digest-load.ts [--subscribers 1000] [--rate 25] [--topics 0.5]
 *
 * `--rate` is the overall messages per second (config TRICHDAN_BROADCAST_PER_SECOND, default 25);
 * a high value (e.g. 10000) measures what the pipeline and the emulator manage unthrottled.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Bot } from 'grammy';
import { FakeClock } from '../../src/digest/clock.ts';
import { createDigest } from '../../src/digest/extension.ts';
import { createEngine } from '../../src/engine.ts';
import { testConfig, SEED_CORPUS } from '../helpers/engine.ts';
import { startEmulator } from './helpers/emulator.ts';

const TOKEN = '123456789:AAdigest-load-test-token-xxxxxxxxxxxxxx';
const SLOT = Date.parse('2026-11-24T00:30:00Z'); // 07:30 in Hanoi
const TOPICS = ['dioxin', 'Nga', 'hợp tác quốc phòng', 'Pete Hegseth'];

/** What one run measured. */
export interface LoadResult {
  subscribers: number;
  rate: number;
  seconds: number;
  messages: number;
  messagesPerSecond: number;
  lost: number;
  duplicated: number;
  logStatus: Record<string, number>;
}

/** Runs one broadcast to `subscribers` chats at `rate` messages per second. */
export async function runLoad(subscribers: number, rate: number, topicShare: number): Promise<LoadResult> {
  const emulator = await startEmulator();
  const work = await mkdtemp(path.join(tmpdir(), 'trichdan-digest-load-'));
  const config = testConfig({
    TRICHDAN_CORPUS_DIR: SEED_CORPUS,
    TRICHDAN_INDEX_DIR: path.join(work, 'index'),
    TRICHDAN_MODELS_DIR: path.join(work, 'no-models'),
    TRICHDAN_DB: path.join(work, 'load.sqlite'),
    TRICHDAN_BROADCAST_PER_SECOND: String(Math.min(rate, 30)),
  });
  const engine = await createEngine(config, { log: () => {}, progress: false });
  const clock = new FakeClock(SLOT - 3600_000);
  const digest = createDigest({
    config: { ...config, digest: { ...config.digest, broadcastPerSecond: rate } },
    engine,
    clock,
    autoTick: false,
    log: (line) => process.stderr.write(`  ${line}\n`),
  });
  try {
    const defaults = { time: '07:30', zone: 'Asia/Ho_Chi_Minh', language: 'vi' as const };
    for (let i = 0; i < subscribers; i++) {
      const chatId = 100_000 + i;
      await digest.store.subscribe(chatId, { ...defaults, language: i % 5 === 0 ? 'en' : 'vi' });
      if (i < subscribers * topicShare) await digest.store.follow(chatId, TOPICS[i % TOPICS.length]);
    }
    const scheduler = digest.startScheduler(new Bot(TOKEN, { client: { apiRoot: emulator.apiRoot } }).api, {
      autoTick: false,
    });
    clock.set(SLOT);
    const t0 = performance.now();
    const report = await scheduler.tick();
    const seconds = (performance.now() - t0) / 1000;

    // Every chat must have received exactly the parts recorded for it, once each.
    const received = new Map<number, string[]>();
    for (const m of emulator.botMessages(TOKEN)) {
      const list = received.get(m.chatId) ?? [];
      list.push(m.text);
      received.set(m.chatId, list);
    }
    let lost = 0;
    let duplicated = 0;
    for (let i = 0; i < subscribers; i++) {
      const chatId = 100_000 + i;
      const expected = (await digest.store.getDelivery(chatId, '2026-11-24'))?.parts ?? [];
      const got = received.get(chatId) ?? [];
      if (expected.length === 0) lost++;
      else if (got.length < expected.length || got.some((t, k) => t !== expected[k])) lost++;
      if (got.length > expected.length) duplicated++;
    }
    // A second tick (as after a restart) must send nothing.
    const again = await scheduler.tick();
    if (again.due !== 0) duplicated += again.sent;

    return {
      subscribers,
      rate,
      seconds,
      messages: report.messages,
      messagesPerSecond: report.messages / seconds,
      lost,
      duplicated,
      logStatus: await digest.store.deliveryCounts(),
    };
  } finally {
    await digest.close();
    await engine.close();
    await emulator.stop();
    await rm(work, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      subscribers: { type: 'string', default: '1000' },
      rate: { type: 'string', default: '25' },
      topics: { type: 'string', default: '0.5' },
    },
  });
  const result = await runLoad(Number(values.subscribers), Number(values.rate), Number(values.topics));
  console.log(JSON.stringify(result, null, 2));
  process.exit(result.lost === 0 && result.duplicated === 0 ? 0 : 1);
}
