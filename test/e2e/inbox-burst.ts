/**
 * Issue 12, "what must be shown": the durable inbox and the bot's latency under a burst, measured
 * on the real `trichdan bot` process (lexical retrieval, seed corpus, its own temporary index and
 * databases) against the Bot API emulator. Not part of `npm test`; about 80 s on 2 cores.
 *
 *   node --import tsx test/e2e/inbox-burst.ts [chats=50] [questions per chat=20] [kill after replies=300]
 *
 * 0. Calibration: each candidate question asked alone in a new chat, and again after another
 *    question (a message without a subject of its own is read as a follow-up, and its reply then
 *    depends on the previous question). 20 questions whose one-message reply is the same both
 *    times and differs from the others' are kept, so every reply below is mapped back to the
 *    question it answers (and a duplicate or a reply out of order is seen).
 * 1. Burst, no kill: every chat asks its 20 questions (rotated, so the chats ask different ones
 *    at once), all 1,000 sent in one go, interleaved chat by chat. Time from a question arriving
 *    at the emulator to its reply arriving there: p50/p95/max; the time in the handler (the bot's
 *    debug log: ask + render + sendMessage), the wait behind the chat's previous question, the
 *    gap between a reply arriving and the chat's next question starting (the update is marked
 *    done in that gap), the bot's CPU time (/proc).
 * 2. Kill: the same burst to a fresh bot (own database), SIGKILL once `kill after` replies have
 *    arrived, restart on the same database: questions answered (or given the restart apology),
 *    answered twice, "searching…" messages left stale, per-chat order, time to drain after the
 *    restart. A reply arrives when its answer is written into the chat's "searching…" message.
 *    The emulator marks an update read when it hands it out; Telegram keeps it until a later
 *    offset confirms it, so updates handed to the killed process but not confirmed are made
 *    unread again.
 * 3. The same burst to a bot run with --cpu-prof: its CPU samples during the burst, by where
 *    they fall (engine, Node internals, GC, grammY, src/bot, SQLite).
 * 4. engine.ask alone, in this process (createEngine on the same index), the same 1,000
 *    questions one after another: what the one engine thread needs for the burst.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { createEngine } from '../../src/engine.ts';
import { strings } from '../../src/bot/strings.ts';
import { now, startEmulator, waitFor, type EmulatedUser, type SentUpdate } from './helpers/emulator.ts';
import { htmlToText } from './helpers/telegram-html.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CHATS = Number(process.argv[2] ?? 50);
const PER_CHAT = Number(process.argv[3] ?? 20);
const KILL_AFTER = Number(process.argv[4] ?? 300);
const TOKEN_BURST = `515151515:${'Burst_measure-token'.repeat(2)}`;
const TOKEN_KILL = `525252525:${'Inbox_kill9-measure'.repeat(2)}`;

const candidates = [
  'Việt Nam đã trao trả cho Mỹ bao nhiêu hòm hài cốt?',
  'Bộ Quốc phòng đã xác minh bao nhiêu bộ hồ sơ nhận từ phía Mỹ?',
  'Mỹ hỗ trợ bao nhiêu tiền cho dự án xử lý dioxin ở Biên Hòa?',
  'Trung tâm Nhiệt đới Việt - Nga hợp tác nghiên cứu gì?',
  'Việt Nam sẵn sàng mời sĩ quan Mỹ sang học gì?',
  'Mỹ cam kết gì về xử lý dioxin ở sân bay Biên Hòa?',
  'viet nam da trao tra cho my bao nhieu hom hai cot',
  'khoản hỗ trợ mới trị giá bao nhiêu cho dự án Biên Hòa',
  'What new aid for the Bien Hoa airport dioxin project was announced?',
  'Who won the 2022 FIFA World Cup final?',
  'Giá vàng SJC hôm nay là bao nhiêu?',
  'Tổng Bí thư Tô Lâm tiếp Bộ trưởng Pete Hegseth khi nào?',
  'Đại tướng Phan Văn Giang hội đàm với Bộ trưởng Quốc phòng Nga về vấn đề gì?',
  'Lãnh đạo Bộ Quốc phòng Việt Nam gặp Bộ Chiến tranh Mỹ ở đâu?',
  'Bộ trưởng Pete Hegseth thăm Hà Nội ngày nào?',
  'Việt Nam và Mỹ kỷ niệm bao nhiêu năm quan hệ ngoại giao?',
];
const devFile = path.resolve(ROOT, '../shared/eval/dev-questions.jsonl');
if (existsSync(devFile)) {
  for (const line of readFileSync(devFile, 'utf8').split('\n')) if (line.trim()) candidates.push(JSON.parse(line).q as string);
}

/** When a reply reached the user: written into its "searching…" message, or sent. */
const arrived = (m: { at: number; editedAt?: number }) => m.editedAt ?? m.at;

function pct(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
function summary(label: string, ms: number[], unit: (x: number) => string = s): string {
  const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
  return `${label}: n=${ms.length} p50=${unit(pct(ms, 0.5))} p95=${unit(pct(ms, 0.95))} max=${unit(Math.max(...ms))} mean=${unit(mean)}`;
}
const msUnit = (x: number) => `${x.toFixed(1)} ms`;

/** CPU seconds (user + system) used so far by a process, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100/s)
}

const emulator = await startEmulator({ acceptAll: true });
const work = mkdtempSync(path.join(tmpdir(), 'trichdan-inbox-burst-'));
const indexDir = path.join(work, 'index');
const baseEnv = {
  TRICHDAN_CORPUS_DIR: path.join(ROOT, 'corpus'),
  TRICHDAN_INDEX_DIR: indexDir,
  TRICHDAN_MODELS_DIR: path.join(work, 'no-models'),
  TRICHDAN_ALLOW_REMOTE_MODELS: 'false',
  TRICHDAN_RATE_LIMIT_PER_MINUTE: '1000',
  TELEGRAM_API_ROOT: emulator.apiRoot,
};

interface BotProcess {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
  spawnedAt: number;
}

function startProcess(token: string, db: string, nodeArgs: string[] = []): BotProcess {
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'bin/trichdan.js'), 'bot'], {
    cwd: ROOT,
    env: { ...process.env, ...baseEnv, npm_lifecycle_event: '', TELEGRAM_BOT_TOKEN: token, TRICHDAN_DB: db, TRICHDAN_LOG_LEVEL: 'debug' },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exited, spawnedAt: now() };
}

async function ready(bot: BotProcess): Promise<number> {
  await waitFor(() => bot.stderr().includes('is answering'), 120_000, 'the bot to start');
  return now();
}

async function stop(bot: BotProcess): Promise<void> {
  bot.child.kill('SIGINT');
  await bot.exited;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `count()` has not changed for `quietMs`. */
async function settle(count: () => number, quietMs = 400): Promise<void> {
  let last = count();
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    await sleep(25);
    const c = count();
    if (c !== last) {
      last = c;
      since = Date.now();
    }
  }
}

const restarted = htmlToText(strings('vi').restarted);

// ── 0. Calibration ────────────────────────────────────────────────────────────────────────────
const botA = startProcess(TOKEN_BURST, path.join(work, 'burst.sqlite'));
const builtAt = await ready(botA);
console.log(`bot started (index built) in ${s(builtAt - botA.spawnedAt)}; ${botA.stderr().match(/is answering \(([^)]*)\)/)?.[1] ?? ''}`);

const replyOf = new Map<string, number>(); // reply text → index in `questions`
const questions: string[] = [];
const calibrationMs: number[] = [];
/** Asks `texts` in a new chat one after another; returns the reply (one message, or undefined) to each. */
async function askInNewChat(chat: number, texts: string[]): Promise<(string | undefined)[]> {
  const user = emulator.user(TOKEN_BURST, { userId: chat, languageCode: 'vi' });
  const out: (string | undefined)[] = [];
  for (const text of texts) {
    const before = emulator.botMessages(TOKEN_BURST, chat).length;
    const sent = await user.sendText(text);
    await waitFor(() => emulator.botMessages(TOKEN_BURST, chat).length > before, 30_000, 'a calibration reply');
    await settle(() => emulator.botMessages(TOKEN_BURST, chat).length, 300);
    const replies = emulator.botMessages(TOKEN_BURST, chat).slice(before);
    calibrationMs.push(arrived(replies[0]) - sent.at);
    out.push(replies.length === 1 ? htmlToText(replies[0].text) : undefined);
  }
  return out;
}
// A question is kept when its reply is one message, differs from the others' and is the same
// after another question in the chat (a message without a subject of its own is read as a
// follow-up of the previous question, and its reply then depends on that question).
for (let i = 0; i < candidates.length && questions.length < PER_CHAT; i++) {
  const [alone] = await askInNewChat(900_000 + i, [candidates[i]]);
  const [, after] = await askInNewChat(950_000 + i, [candidates[(i + 1) % candidates.length], candidates[i]]);
  if (alone === undefined || alone !== after || replyOf.has(alone) || alone === restarted) continue;
  replyOf.set(alone, questions.length);
  questions.push(candidates[i]);
}
if (questions.length < PER_CHAT) throw new Error(`only ${questions.length} candidate questions have a distinct one-message reply`);
console.log(`calibration: ${questions.length} questions with distinct one-message replies, of the first candidates; ${summary('one at a time', calibrationMs, msUnit)}`);

const users = (token: string, base: number): EmulatedUser[] =>
  Array.from({ length: CHATS }, (_, c) => emulator.user(token, { userId: base + c, languageCode: 'vi' }));
/** Question k of chat c: the questions rotated by c, so the chats ask different ones at once. */
const questionIndex = (c: number, k: number) => (c + k) % questions.length;

/** Sends the burst: round k of every chat, then round k + 1, …; returns what each chat sent, in order. */
async function sendBurst(us: EmulatedUser[]): Promise<SentUpdate[][]> {
  const sent: SentUpdate[][] = us.map(() => []);
  for (let k = 0; k < PER_CHAT; k++) {
    for (let c = 0; c < us.length; c++) sent[c].push(await us[c].sendText(questions[questionIndex(c, k)]));
  }
  return sent;
}

/** Each reply of a chat, as the k of the question it answers (-1: the restart apology; NaN: not recognised). */
function replyKs(token: string, c: number, chatId: number): { k: number; at: number; text: string }[] {
  return emulator.botMessages(token, chatId).map((m) => {
    const text = htmlToText(m.text);
    const at = arrived(m);
    if (text === restarted) return { k: -1, at, text };
    const qi = replyOf.get(text);
    if (qi === undefined) return { k: Number.NaN, at, text };
    return { k: (((qi - c) % questions.length) + questions.length) % questions.length, at, text };
  });
}

// ── 1. Burst, no kill ─────────────────────────────────────────────────────────────────────────
{
  const us = users(TOKEN_BURST, 6000);
  await sleep(500);
  const callsBefore = emulator.calls.length;
  const cpu0 = cpuSeconds(botA.child.pid!);
  const self0 = process.cpuUsage();
  const logFrom = botA.stderr().length;
  const t0 = now();
  const sent = await sendBurst(us);
  const sentIn = now() - t0;
  const total = CHATS * PER_CHAT;
  await waitFor(() => emulator.botMessages(TOKEN_BURST).length - calibrationMs.length >= total, 300_000, 'every burst question answered');
  const tEnd = Math.max(...emulator.botMessages(TOKEN_BURST).map(arrived));
  const cpu = cpuSeconds(botA.child.pid!) - cpu0;
  const self = process.cpuUsage(self0);
  await settle(() => emulator.botMessages(TOKEN_BURST).length, 500);

  const latency: number[] = [];
  const waiting: number[] = []; // arrival → its handler starts (the reply before it in the chat, or arrival)
  let wrong = 0;
  for (let c = 0; c < CHATS; c++) {
    const replies = replyKs(TOKEN_BURST, c, us[c].chatId);
    if (replies.length !== PER_CHAT || replies.some((r, k) => r.k !== k)) {
      if (wrong++ === 0) console.log(`   e.g. chat ${c}: replies as question numbers ${replies.map((r) => r.k).join(',')}; ${replies.find((r) => Number.isNaN(r.k))?.text.slice(0, 200) ?? ''}`);
    }
    replies.forEach((r, k) => {
      latency.push(r.at - sent[c][k].at);
      waiting.push(Math.max(sent[c][k].at, k > 0 ? replies[k - 1].at : 0) - sent[c][k].at);
    });
  }
  // A reply's arrival → the chat's next "searching…" (its next question starts once the handler
  // has returned, i.e. once the update is marked done): a kill -9 in this gap writes the answer
  // into the same message again after the restart (an edit, not a second answer).
  const doneLag: number[] = [];
  for (let c = 0; c < CHATS; c++) {
    const searching = emulator.calls.slice(callsBefore).filter((x) => x.method === 'sendMessage' && Number(x.body.chat_id) === us[c].chatId && x.body.text === strings('vi').searching);
    const replies = emulator.botMessages(TOKEN_BURST, us[c].chatId);
    for (let k = 0; k < replies.length - 1; k++) {
      const next = searching.find((x) => x.at > arrived(replies[k]));
      if (next) doneLag.push(next.at - arrived(replies[k]));
    }
  }
  const handlerMs = [...botA.stderr().slice(logFrom).matchAll(/update \d+: .*?, (\d+) ms/g)].map((m) => Number(m[1]));
  const calls = emulator.calls.slice(callsBefore);
  const count = (method: string) => calls.filter((c) => c.method === method).length;
  const drain = tEnd - t0;
  console.log(`\n1. burst of ${total} questions from ${CHATS} chats, no kill (sent in ${s(sentIn)})`);
  console.log(`   chats with a reply missing, extra or out of order: ${wrong}; strict emulator refusals: ${emulator.refused.length}`);
  console.log(`   ${summary('question → reply', latency)}`);
  console.log(`   last reply ${s(drain)} after the first question; ${(total / (drain / 1000)).toFixed(0)} answers/s`);
  console.log(`   ${summary('in the handler (ask+render+sendMessage, from the bot log)', handlerMs, msUnit)}`);
  console.log(`   ${summary('waiting behind the same chat’s previous question', waiting)}`);
  console.log(`   ${summary('reply arrived → the chat’s next question starts (window for a duplicate)', doneLag, msUnit)}`);
  console.log(`   bot process CPU ${cpu.toFixed(2)} s over ${s(drain)} (${((100 * cpu) / (drain / 1000)).toFixed(0)}% of one core)`);
  console.log(`   this process (emulator + client) CPU ${((self.user + self.system) / 1e6).toFixed(2)} s`);
  console.log(`   Bot API calls: ${calls.length} (getUpdates ${count('getUpdates')}, sendChatAction ${count('sendChatAction')}, sendMessage ${count('sendMessage')}, editMessageText ${count('editMessageText')})`);
  await stop(botA);
}

// ── 2. Kill -9 in the middle, restart ─────────────────────────────────────────────────────────
{
  const db = path.join(work, 'kill.sqlite');
  const first = startProcess(TOKEN_KILL, db);
  await ready(first);
  const us = users(TOKEN_KILL, 7000);
  const total = CHATS * PER_CHAT;
  const t0 = now();
  const sent = await sendBurst(us);
  await waitFor(() => emulator.botMessages(TOKEN_KILL).length >= KILL_AFTER, 120_000, `${KILL_AFTER} replies`);
  first.child.kill('SIGKILL');
  const killedAt = now();
  await first.exited;
  const fetched = emulator.callsOf('getUpdates').filter((c) => c.token === TOKEN_KILL).reduce((m, c) => Math.max(m, Number(c.body.offset ?? 0)), 0);
  const lastUpdateId = sent.flat().reduce((m, u) => Math.max(m, u.updateId), 0);
  await sleep(300); // a reply on the wire when the process died is either in or out by now
  const beforeRestart = emulator.botMessages(TOKEN_KILL).length;
  // Telegram keeps an update until a getUpdates with a higher offset confirms it; the emulator
  // marks it read when it hands it out. An update handed to the killed process in a response it
  // never got to read (or record) is made unread again, as Telegram would deliver it again.
  const stored = (emulator.server as unknown as { storage: { userMessages: { botToken: string; updateId: number; isRead: boolean }[] } }).storage.userMessages;
  const redelivered = stored.filter((u) => u.botToken === TOKEN_KILL && u.updateId >= fetched && u.isRead);
  for (const u of redelivered) u.isRead = false;

  const second = startProcess(TOKEN_KILL, db);
  const readyAt = await ready(second);
  const recovered = second.stderr().match(/inbox: (\d+) update\(s\) left unanswered by the previous run are answered now, (\d+) older/);
  const answeredAll = () => us.every((u, c) => new Set(replyKs(TOKEN_KILL, c, u.chatId).filter((r) => r.k >= 0).map((r) => r.k)).size >= PER_CHAT);
  let timedOut = false;
  await waitFor(answeredAll, 60_000, 'every question answered after the restart').catch(() => (timedOut = true));
  await settle(() => emulator.botMessages(TOKEN_KILL).length, 1500); // anything sent twice comes now
  const all = emulator.botMessages(TOKEN_KILL);
  const drainedAt = Math.max(...all.map(arrived));
  const stale = emulator.placeholders(TOKEN_KILL).length;

  let answered = 0;
  let apologised = 0;
  let twice = 0;
  let unrecognised = 0;
  let outOfOrder = 0;
  let unknownSample: string | undefined;
  const twiceWhere: string[] = [];
  for (let c = 0; c < CHATS; c++) {
    const replies = replyKs(TOKEN_KILL, c, us[c].chatId);
    const perK = new Map<number, number>();
    for (const r of replies) if (r.k >= 0) perK.set(r.k, (perK.get(r.k) ?? 0) + 1);
    answered += perK.size;
    apologised += replies.filter((r) => r.k === -1).length;
    unrecognised += replies.filter((r) => Number.isNaN(r.k)).length;
    if (replies.some((r) => Number.isNaN(r.k))) unknownSample ??= replies.find((r) => Number.isNaN(r.k))!.text;
    for (const [k, n] of perK) {
      if (n > 1) {
        twice += n - 1;
        const ats = replies.filter((r) => r.k === k).map((r) => (r.at < killedAt ? 'before kill' : 'after restart'));
        twiceWhere.push(`chat ${c} question ${k}: ${ats.join(', ')}`);
      }
    }
    const ks = replies.map((r) => r.k).filter((k) => k >= 0);
    if (ks.some((k, i) => i > 0 && k < ks[i - 1])) outOfOrder++;
  }
  console.log(`\n2. kill -9 during a burst of ${total} questions from ${CHATS} chats, restart on the same database`);
  console.log(`   killed ${s(killedAt - t0)} after the first question, with ${beforeRestart} replies arrived; ` +
    `getUpdates offset had reached ${fetched} (last update ${lastUpdateId}: ${lastUpdateId < fetched ? 'all fetched and confirmed' : `${lastUpdateId - fetched + 1} not yet confirmed`}); ` +
    `${redelivered.length} handed to the killed process but not confirmed, delivered again`);
  console.log(`   restart: ready ${s(readyAt - second.spawnedAt)} after spawn; log: ${recovered ? `${recovered[1]} replayed from the inbox, ${recovered[2]} apologised` : 'no inbox line'}`);
  console.log(`   answered ${answered}/${total}${timedOut ? ' (timed out)' : ''}, restart apologies ${apologised}, answered twice ${twice}, replies not recognised ${unrecognised}`);
  console.log(`   "searching…" messages left stale (sent, then the process died before recording them): ${stale}`);
  if (unknownSample) console.log(`     a reply not recognised: ${unknownSample.slice(0, 200)}`);
  const before = twiceWhere.filter((w) => w.includes('before kill')).length;
  if (twiceWhere.length) console.log(`     twice: ${before} of ${twiceWhere.length} were first sent before the kill, e.g. ${twiceWhere.slice(0, 3).join('; ')}`);
  console.log(`   chats out of order: ${outOfOrder}/${CHATS}; ${all.length - beforeRestart} replies after the restart`);
  console.log(`   drained ${s(drainedAt - second.spawnedAt)} after the restart (spawn), ${s(drainedAt - readyAt)} after it was ready; strict emulator refusals: ${emulator.refused.length}`);
  await stop(second);
}

// ── 3. Where the bot's CPU time goes: the same burst to a bot run with --cpu-prof ─────────────────
{
  const TOKEN_PROF = `535353535:${'Burst_profile-token'.repeat(2)}`;
  const profDir = path.join(work, 'profile');
  const bot = startProcess(TOKEN_PROF, path.join(work, 'profile.sqlite'), ['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
  await ready(bot);
  const us = users(TOKEN_PROF, 8000);
  await sleep(500);
  const from = process.hrtime.bigint() / 1000n; // CLOCK_MONOTONIC, µs: the profile's clock
  const t0 = now();
  await sendBurst(us);
  await waitFor(() => emulator.botMessages(TOKEN_PROF).length >= CHATS * PER_CHAT, 300_000, 'every profiled question answered');
  const to = process.hrtime.bigint() / 1000n;
  const drain = now() - t0;
  await stop(bot);
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('no CPU profile written');
  const profile = JSON.parse(readFileSync(path.join(profDir, file), 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
    startTime: number;
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const category = (id: number): string => {
    const special = byId.get(id)!.callFrame.functionName;
    if (special === '(idle)') return 'idle (waiting for I/O)';
    if (special === '(garbage collector)') return 'garbage collection';
    if (special === '(program)') return 'V8/native, not attributed';
    // Native leaves (no url) count for the nearest caller with one.
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const url = byId.get(at)!.callFrame.url;
      if (!url) continue;
      if (url.includes('/src/bot/')) return 'bot handlers, rendering (src/bot)';
      if (url.includes('/src/db/') || url.includes('better-sqlite3')) return 'SQLite (inbox, store)';
      if (url.includes('/src/')) return 'engine (src/search, answer, text…)';
      if (url.includes('/grammy/') || url.includes('@grammyjs')) return 'grammY, runner, plugins';
      if (url.startsWith('node:')) return 'Node internals (HTTP, streams, timers)';
      if (url.includes('node_modules')) return 'other libraries';
      return 'other';
    }
    return 'V8/native, not attributed';
  };
  const totals = new Map<string, number>();
  let t = profile.startTime;
  let inWindow = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    if (t < from || t > to) continue;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    inWindow += dt;
    const cat = category(profile.samples[i]);
    totals.set(cat, (totals.get(cat) ?? 0) + dt);
  }
  console.log(`\n3. the same burst to a bot under --cpu-prof: drained in ${s(drain)}; ${s(inWindow / 1000)} of samples in the burst window`);
  for (const [cat, us] of [...totals].sort((a, b) => b[1] - a[1])) {
    console.log(`   ${cat}: ${s(us / 1000)} (${((100 * us) / inWindow).toFixed(0)}%)`);
  }
}

// ── 4. engine.ask alone ───────────────────────────────────────────────────────────────────────
{
  const config = loadConfig({ ...process.env, ...baseEnv, TELEGRAM_BOT_TOKEN: TOKEN_BURST }, { cwd: ROOT, dotenv: false });
  const engine = await createEngine(config, { progress: false, log: () => {} });
  const ask = (q: string) => engine.ask(q, { topK: config.retrieval.topK + 1 });
  for (let i = 0; i < 50; i++) await ask(questions[i % questions.length]); // warm-up
  const ms: number[] = [];
  const t0 = performance.now();
  for (let k = 0; k < PER_CHAT; k++) {
    for (let c = 0; c < CHATS; c++) {
      const t = performance.now();
      await ask(questions[questionIndex(c, k)]);
      ms.push(performance.now() - t);
    }
  }
  const wall = performance.now() - t0;
  console.log(`\n4. engine.ask alone, this process, the same ${ms.length} questions one after another: ${s(wall)} in all`);
  console.log(`   ${summary('per question', ms, msUnit)}`);
  await engine.close();
}

await emulator.stop();
rmSync(work, { recursive: true, force: true });
