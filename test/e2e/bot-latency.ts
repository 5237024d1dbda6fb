/**
 * Bot latency: the time from a question arriving at the Bot API emulator to the bot's reply
 * arriving there (sendMessage), over many questions, with the real bot on the real engine and
 * seed corpus (the model where present, lexical retrieval where not).
 *
 *   npx tsx test/e2e/bot-latency.ts [questions=200] [concurrent users=50]
 *
 * Two runs: one question at a time (the latency a single user sees), then bursts where many
 * users ask at once (the runner handles chats concurrently). Prints median, p95 and max.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { createEngine } from '../../src/engine.ts';
import { createBot } from '../../src/bot/create-bot.ts';
import { silentLogger } from '../../src/bot/log.ts';
import { startBot } from '../../src/bot/run.ts';
import { startEmulator, waitFor, type EmulatedUser } from './helpers/emulator.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TOKEN = `123456789:${'latency_measure-Token'.repeat(2)}`;
const total = Number(process.argv[2] ?? 200);
const burst = Number(process.argv[3] ?? 50);

const questions = [
  'Việt Nam sẵn sàng mời sĩ quan Mỹ sang học gì?',
  'Mỹ cam kết gì về xử lý dioxin ở sân bay Biên Hòa?',
  'viet nam da trao tra cho my bao nhieu hom hai cot',
  'Bộ Quốc phòng đã xác minh bao nhiêu bộ hồ sơ nhận từ phía Mỹ?',
  'khoản hỗ trợ mới trị giá bao nhiêu cho dự án Biên Hòa',
  'What new aid for the Bien Hoa airport dioxin project was announced?',
  'Who won the 2022 FIFA World Cup final?',
  'Giá vàng SJC hôm nay là bao nhiêu?',
];
const devFile = path.resolve(ROOT, '../shared/eval/dev-questions.jsonl');
if (existsSync(devFile)) {
  for (const line of readFileSync(devFile, 'utf8').split('\n')) if (line.trim()) questions.push(JSON.parse(line).q);
}

function stats(label: string, ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  const mean = sorted.reduce((s, x) => s + x, 0) / sorted.length;
  return `${label}: n=${sorted.length} median=${at(0.5).toFixed(1)} ms p95=${at(0.95).toFixed(1)} ms max=${sorted.at(-1)!.toFixed(1)} ms mean=${mean.toFixed(1)} ms`;
}

const emulator = await startEmulator({ acceptAll: true });
const indexDir = mkdtempSync(path.join(tmpdir(), 'trichdan-latency-'));
const config = loadConfig(
  {
    ...process.env,
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: emulator.apiRoot,
    TRICHDAN_CORPUS_DIR: path.join(ROOT, 'corpus'),
    TRICHDAN_INDEX_DIR: indexDir,
    TRICHDAN_ALLOW_REMOTE_MODELS: 'false',
    TRICHDAN_RATE_LIMIT_PER_MINUTE: '1000',
  },
  { cwd: ROOT, dotenv: false },
);
const engine = await createEngine(config, { progress: false, log: () => {} });
const trichdan = createBot({ engine, config, log: silentLogger });
const running = await startBot(trichdan, config);
const status = engine.status();
console.log(`engine: ${status.retrieval} retrieval, ${status.articleCount} articles, ${status.chunkCount} passages, lexicon ${status.lexiconLoaded ? 'loaded' : 'missing'}`);

const users: EmulatedUser[] = Array.from({ length: Math.max(burst, 1) }, (_, i) => emulator.user(TOKEN, { userId: 5000 + i }));

/** Latency of one question: arrival at the emulator → the last message of the reply arriving there. */
async function measure(user: EmulatedUser, question: string): Promise<number> {
  const before = emulator.botMessages(TOKEN, user.chatId).length;
  const sent = await user.sendText(question);
  await waitFor(() => (trichdan.lastUpdateId() ?? 0) >= sent.updateId, 30_000);
  await waitFor(() => emulator.botMessages(TOKEN, user.chatId).length > before, 30_000);
  await trichdan.idle(30_000);
  const replies = emulator.botMessages(TOKEN, user.chatId).slice(before);
  return replies.at(-1)!.at - sent.at;
}

// Warm-up (JIT, first /start example computation): not measured.
for (let i = 0; i < 10; i++) await measure(users[0], questions[i % questions.length]);

const sequential: number[] = [];
for (let i = 0; i < total; i++) sequential.push(await measure(users[i % users.length], questions[i % questions.length]));
console.log(stats('one question at a time', sequential));

const concurrent: number[] = [];
for (let done = 0; done < total; done += burst) {
  const batch = users.slice(0, Math.min(burst, total - done));
  concurrent.push(...(await Promise.all(batch.map((u, j) => measure(u, questions[(done + j) % questions.length])))));
}
console.log(stats(`bursts of ${burst} users at once`, concurrent));

const engineOnly: number[] = [];
for (let i = 0; i < total; i++) {
  const t0 = performance.now();
  await engine.ask(questions[i % questions.length], { topK: config.retrieval.topK + 1 });
  engineOnly.push(performance.now() - t0);
}
console.log(stats('engine.ask alone (for comparison)', engineOnly));

await running.stop();
await engine.close();
await emulator.stop();
rmSync(indexDir, { recursive: true, force: true });
