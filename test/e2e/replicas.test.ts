/**
 * Issue 13, "what must be shown": three `trichdan bot` replicas on one PostgreSQL database behind
 * one webhook URL (a round-robin proxy), against the Bot API emulator on 127.0.0.1.
 * - Subscribers all due in the same minute get exactly one digest each, while one replica is
 *   killed with SIGKILL in the middle of the broadcast (the others take over its claims once
 *   their lease has run out).
 * - Chats asking questions get one answer per question, none twice, with the updates spread over
 *   the replicas and some delivered a second time to another replica (as Telegram does after a
 *   webhook timeout).
 * - An article added on one replica is answered by the others within seconds.
 * `npm test` runs a smaller version (200 subscribers, 10 chats × 5 questions); the issue's figures
 * (1,000 subscribers, 50 chats × 20 questions) with TRICHDAN_REPLICA_TEST=full.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createDatabase } from '../helpers/postgres.ts';
import { startWebServer, type WebServer } from '../helpers/web-server.ts';
import { rssFeed } from '../ingest/helpers/feed-server.ts';
import { freePort, startEmulator, waitFor, type Emulator } from './helpers/emulator.ts';
import { htmlToText } from './helpers/telegram-html.ts';
import { deliveryLog, seedSubscribers, startLoadBalancer, startReplica, stopReplicas, type LoadBalancer, type Replica } from './helpers/replicas.ts';

const FULL = process.env.TRICHDAN_REPLICA_TEST === 'full';
const SUBSCRIBERS = FULL ? 1000 : 200;
const CHATS = FULL ? 50 : 10;
const PER_CHAT = FULL ? 20 : 5;
const TOKEN = `616161616:${'Replica_test-token'.repeat(2)}`;
const FIRST_SUBSCRIBER = 7_000_000;
const FIRST_ASKER = 8_000_000;
const FEED_PATH = '/rss/quoc-phong.rss';
const BIEN_XANH_PATH = '/quoc-phong-an-ninh/dien-tap-bien-xanh-2025.html';

const QUESTIONS = [
  'Việt Nam đã trao trả cho Mỹ bao nhiêu hòm hài cốt?',
  'Mỹ hỗ trợ bao nhiêu tiền cho dự án xử lý dioxin ở Biên Hòa?',
  'Trung tâm Nhiệt đới Việt - Nga hợp tác nghiên cứu gì?',
  'Bộ Quốc phòng đã xác minh bao nhiêu bộ hồ sơ nhận từ phía Mỹ?',
  'Who won the 2022 FIFA World Cup final?',
];

/** Polls an async check every 250 ms until it gives a value. */
async function waitForAsync<T>(check: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const pgUrl = inject('pgUrl') as string | null | undefined;
const pgMissing = (inject('pgMissing') as string | null | undefined) ?? 'PostgreSQL tests skipped: no server was provided.';

describe.skipIf(!pgUrl)(`three replicas on one PostgreSQL database (issue 13)${pgUrl ? '' : `: ${pgMissing}`}`, () => {
  let emulator: Emulator;
  let work: string;
  let databaseUrl: string;
  let lb: LoadBalancer;
  let web: WebServer;
  const ports: number[] = [];
  const replicas: Replica[] = [];

  const start = (index: number) => {
    replicas[index] = startReplica({
      index,
      port: ports[index],
      work,
      databaseUrl,
      apiRoot: emulator.apiRoot,
      token: TOKEN,
      webhookUrl: lb.url,
      // Every replica has the feed; one polls it at a time.
      env: { TRICHDAN_FEEDS: web.url(FEED_PATH), TRICHDAN_FEED_INTERVAL: '0.05', TRICHDAN_ALLOW_PRIVATE_URLS: 'true' },
    });
    return replicas[index];
  };
  const liveReplicas = () => replicas.filter((r) => r.alive());

  beforeAll(async () => {
    emulator = await startEmulator({ acceptAll: true });
    web = await startWebServer();
    web.set(FEED_PATH, { headers: { 'content-type': 'application/rss+xml; charset=utf-8' }, body: rssFeed([], 'Quốc phòng') });
    work = mkdtempSync(path.join(tmpdir(), 'trichdan-replicas-'));
    databaseUrl = await createDatabase(pgUrl!);
    for (let i = 0; i < 3; i++) ports.push(await freePort());
    lb = await startLoadBalancer(() => liveReplicas().map((r) => r.port));
    for (let i = 0; i < 3; i++) start(i);
    await waitFor(() => replicas.every((r) => r.stderr().includes('is answering')), 120_000, 'three replicas to start');
  }, 180_000);

  afterAll(async () => {
    if (process.env.TRICHDAN_REPLICA_LOGS) {
      for (const r of replicas) writeFileSync(path.join(process.env.TRICHDAN_REPLICA_LOGS, `replica-${r.index}.log`), r.stderr());
    }
    await stopReplicas(replicas);
    await lb?.close();
    await web?.close();
    await emulator?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('one replica polls the feed; the article it brings in is answered by all three, fetched once', async () => {
    const turn = "this replica's turn among the replicas";
    await waitFor(() => replicas.filter((r) => r.stderr().includes(turn)).length === 1 || undefined, 15_000, 'one replica to take the feeds');
    const poller = replicas.find((r) => r.stderr().includes(turn))!;
    web.set(BIEN_XANH_PATH, { body: readFileSync(path.join(import.meta.dirname, '../fixtures/web/live/qdnd-dien-tap-bien-xanh-2025.html'), 'utf8') });
    web.set(FEED_PATH, {
      headers: { 'content-type': 'application/rss+xml; charset=utf-8' },
      body: rssFeed([{ guid: 'qdnd-851734', link: web.url(BIEN_XANH_PATH), title: 'Diễn tập Biển Xanh 2025', pubDate: 'Wed, 03 Dec 2025 08:00:00 +0700' }], 'Quốc phòng'),
    });
    const others = replicas.filter((r) => r !== poller);
    await waitFor(() => others.every((r) => r.stderr().includes('file(s) from other replicas indexed')) || undefined, 30_000, 'the others to index the feed item');
    const user = emulator.user(TOKEN, { userId: FIRST_ASKER + 600, languageCode: 'vi' });
    for (let k = 0; k < 3; k++) {
      const before = emulator.botMessages(TOKEN, FIRST_ASKER + 600).length;
      await user.sendText('Diễn tập Biển Xanh 2025 ở vịnh Cam Ranh có bao nhiêu tàu chiến tham gia?');
      await waitFor(() => emulator.botMessages(TOKEN, FIRST_ASKER + 600).length > before || undefined, 30_000, 'an answer');
      expect(htmlToText(emulator.botMessages(TOKEN, FIRST_ASKER + 600).at(-1)!.text)).toContain('37 tàu chiến');
    }
    expect(web.requests.filter((r) => r.path.startsWith(BIEN_XANH_PATH))).toHaveLength(1); // fetched by the poller only
    expect(others.every((r) => !r.stderr().includes(turn))).toBe(true);
  }, 90_000);

  it(`${SUBSCRIBERS} subscribers due in the same minute get exactly ${SUBSCRIBERS} digests while one replica is killed with SIGKILL mid-broadcast`, async () => {
    const now = new Date();
    const time = `${String(now.getUTCHours()).padStart(2, '0')}:${String(now.getUTCMinutes()).padStart(2, '0')}`;
    // Due now: this minute's slot, with earlier ones marked as passed.
    await seedSubscribers(databaseUrl, FIRST_SUBSCRIBER, SUBSCRIBERS, time, new Date(now.getTime() - 3600_000));
    const digestMessages = () => emulator.botMessages(TOKEN).filter((m) => m.chatId >= FIRST_SUBSCRIBER && m.chatId < FIRST_SUBSCRIBER + SUBSCRIBERS);
    const started = Date.now();
    await waitFor(() => digestMessages().length >= SUBSCRIBERS / 3 || undefined, 60_000, 'a third of the broadcast');
    const victim = replicas[0];
    victim.child.kill('SIGKILL');
    await victim.exited;
    const atKill = digestMessages().length;

    const log = await waitForAsync(
      async () => {
        const l = await deliveryLog(databaseUrl);
        return (l.byStatus.pending ?? 0) === 0 && (l.byStatus.sent ?? 0) + (l.byStatus.gave_up ?? 0) + (l.byStatus.failed ?? 0) >= SUBSCRIBERS ? l : undefined;
      },
      120_000,
      'every digest to be settled',
    );
    const seconds = (Date.now() - started) / 1000;
    let lost = 0;
    let duplicated = 0;
    const received = new Map<number, string[]>();
    for (const m of digestMessages()) received.set(m.chatId, [...(received.get(m.chatId) ?? []), m.text]);
    for (let chat = FIRST_SUBSCRIBER; chat < FIRST_SUBSCRIBER + SUBSCRIBERS; chat++) {
      const expected = log.parts.get(chat) ?? [];
      const got = received.get(chat) ?? [];
      if (expected.length === 0 || got.length < expected.length) lost++;
      if (got.length > expected.length) duplicated++;
    }
    const cutShort = log.errors.filter((e) => e.includes('not resent to avoid a duplicate')).length;
    // The broadcast limit holds for the replicas together: the most messages that arrived within any
    // window of 1 s and of 5 s (arrival times bunch up when the emulator's process is busy, so the
    // 5 s rate is the one checked).
    const times = digestMessages().map((m) => m.at).sort((x, y) => x - y);
    const busiest = (windowMs: number) => {
      let most = 0;
      for (let i = 0, j = 0; i < times.length; i++) {
        while (times[i] - times[j] >= windowMs) j++;
        most = Math.max(most, i - j + 1);
      }
      return most;
    };
    const perSecond = busiest(1000);
    const perFiveSeconds = busiest(5000);
    process.stdout.write(
      `replicas: ${SUBSCRIBERS} digests in ${seconds.toFixed(1)} s, replica ${victim.index} killed after ${atKill} messages; ` +
        `log ${JSON.stringify(log.byStatus)}; lost ${lost}, duplicated ${duplicated}, cut short by the kill (message on the wire) ${cutShort}; ` +
        `all replicas together, most messages in 1 s: ${perSecond}, in 5 s: ${perFiveSeconds} (limit 30/s)\n`,
    );
    expect(perFiveSeconds).toBeLessThanOrEqual(5 * 30 * 1.1);
    expect(duplicated).toBe(0);
    // The one case that cannot be decided: a message on the wire when its replica died may or may
    // not have arrived; it is never sent again. Everything else is delivered.
    expect(lost).toBeLessThanOrEqual(cutShort);
    expect((log.byStatus.sent ?? 0) + cutShort).toBe(SUBSCRIBERS);
    // The survivors took over the victim's claims.
    expect(liveReplicas()).toHaveLength(2);
  }, 240_000);

  it(`${CHATS} chats x ${PER_CHAT} questions spread over the replicas get ${CHATS * PER_CHAT} answers, none twice (some updates delivered twice)`, async () => {
    // Three replicas again: the killed one restarts on the same database and index folder.
    const restarted = replicas.find((r) => !r.alive());
    if (restarted) {
      start(restarted.index);
      await waitFor(() => replicas[restarted.index].stderr().includes('is answering'), 120_000, 'the killed replica to restart');
    }
    // How many messages answer each question (asked once, alone).
    const calibrate = emulator.user(TOKEN, { userId: FIRST_ASKER - 1, languageCode: 'vi' });
    const perQuestion: number[] = [];
    for (const q of QUESTIONS) {
      const before = emulator.botMessages(TOKEN, FIRST_ASKER - 1).length;
      await calibrate.sendText(q);
      await waitFor(() => emulator.botMessages(TOKEN, FIRST_ASKER - 1).length > before || undefined, 30_000, 'a calibration answer');
      await new Promise((r) => setTimeout(r, 300));
      perQuestion.push(emulator.botMessages(TOKEN, FIRST_ASKER - 1).length - before);
    }
    lb.duplicateEvery = 7;
    const forwardedBefore = new Map(lb.forwarded);
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CHATS }, async (_, c) => {
        const user = emulator.user(TOKEN, { userId: FIRST_ASKER + c, languageCode: 'vi' });
        for (let k = 0; k < PER_CHAT; k++) await user.sendText(QUESTIONS[(c + k) % QUESTIONS.length]);
      }),
    );
    const expectedPerChat = (c: number) => Array.from({ length: PER_CHAT }, (_, k) => perQuestion[(c + k) % QUESTIONS.length]).reduce((a, b) => a + b, 0);
    await waitFor(
      () => Array.from({ length: CHATS }, (_, c) => emulator.botMessages(TOKEN, FIRST_ASKER + c).length >= expectedPerChat(c)).every(Boolean) || undefined,
      60_000,
      'every answer',
    ).catch((error: unknown) => {
      const counts = Array.from({ length: CHATS }, (_, c) => `${emulator.botMessages(TOKEN, FIRST_ASKER + c).length}/${expectedPerChat(c)}`);
      const chat1 = emulator.botMessages(TOKEN, FIRST_ASKER + 1).map((m) => htmlToText(m.text).slice(0, 80));
      throw new Error(`${(error as Error).message}; messages per chat (got/expected): ${counts.join(' ')}; per question ${perQuestion.join(',')}; chat 1: ${JSON.stringify(chat1)}`);
    });
    await new Promise((r) => setTimeout(r, 1000)); // a duplicate answer would arrive now
    lb.duplicateEvery = 0;
    const seconds = (Date.now() - started) / 1000;
    let answered = 0;
    let twice = 0;
    for (let c = 0; c < CHATS; c++) {
      const got = emulator.botMessages(TOKEN, FIRST_ASKER + c).length;
      answered += Math.min(got, expectedPerChat(c));
      if (got > expectedPerChat(c)) twice++;
    }
    const spread = [...lb.forwarded].map(([port, n]) => n - (forwardedBefore.get(port) ?? 0));
    process.stdout.write(
      `replicas: ${CHATS * PER_CHAT} questions in ${seconds.toFixed(1)} s, per replica ${JSON.stringify(spread)}, ${lb.duplicated} delivered twice by the proxy; ` +
        `answered ${answered}/${CHATS * PER_CHAT} messages expected, chats with a duplicate answer ${twice}\n`,
    );
    expect(twice).toBe(0);
    expect(answered).toBe(Array.from({ length: CHATS }, (_, c) => expectedPerChat(c)).reduce((a, b) => a + b, 0));
    expect(spread.filter((n) => n > 0).length).toBe(3);
    expect(lb.duplicated).toBeGreaterThan(0);
  }, 240_000);

  it('an article added on one replica is answered by the others within seconds (shared registry)', async () => {
    const [first] = liveReplicas();
    const article = [
      '# Hải quân Việt Nam và Ấn Độ diễn tập tìm kiếm cứu nạn ở vịnh Cam Ranh',
      '',
      'Ngày 28/11/2026, tàu hải quân Việt Nam và tàu INS Kiltan của Ấn Độ diễn tập tìm kiếm cứu nạn trên biển trong hai ngày.',
      'Cuộc diễn tập gồm 14 tình huống, trong đó có cứu người rơi xuống biển và chữa cháy trên tàu.',
    ].join('\n');
    const others = liveReplicas().filter((r) => r !== first);
    const indexed = (r: Replica) => r.stderr().split('file(s) from other replicas indexed').length - 1;
    const before = new Map(others.map((r) => [r, indexed(r)]));
    // Dropped into one replica's corpus folder (as `trichdan add` there would): that replica indexes it and publishes it.
    writeFileSync(path.join(work, `replica-${first.index}`, 'corpus', 'hai-quan-an-do.md'), article);
    const started = Date.now();
    await waitFor(() => others.every((r) => indexed(r) > before.get(r)!) || undefined, 30_000, 'the other replicas to index the article');
    process.stdout.write(`replicas: article on all replicas ${((Date.now() - started) / 1000).toFixed(1)} s after it was dropped on one\n`);
    const user = emulator.user(TOKEN, { userId: FIRST_ASKER + 500, languageCode: 'vi' });
    for (let k = 0; k < 3; k++) {
      const before = emulator.botMessages(TOKEN, FIRST_ASKER + 500).length;
      await user.sendText('Cuộc diễn tập với tàu INS Kiltan gồm bao nhiêu tình huống?');
      await waitFor(() => emulator.botMessages(TOKEN, FIRST_ASKER + 500).length > before || undefined, 30_000, 'an answer');
      expect(htmlToText(emulator.botMessages(TOKEN, FIRST_ASKER + 500).at(-1)!.text)).toContain('14 tình huống');
    }
  }, 120_000);
});
