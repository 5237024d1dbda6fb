/**
 * Issue 13, "what must be shown": PostgreSQL stopped during a run. A replica (a real
 * `trichdan bot` process in webhook mode) keeps running, says once in its log that the database
 * is unreachable and that it takes no updates (/readyz answers 503), and recovers on its own when
 * the server is back: the digests that came due during the outage are sent late, within the
 * grace window, each exactly once, and questions are answered again. The server here is this
 * test's own (it is stopped and started), not the shared one of the run.
 * `npm test` stops it for 12 s; TRICHDAN_REPLICA_TEST=full for the issue's 30 s.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findPostgres, startPostgres, type PgServer } from '../helpers/postgres.ts';
import { freePort, startEmulator, waitFor, type Emulator } from './helpers/emulator.ts';
import { htmlToText } from './helpers/telegram-html.ts';
import { deliveryLog, seedSubscribers, startLoadBalancer, startReplica, stopReplicas, type LoadBalancer, type Replica } from './helpers/replicas.ts';

const OUTAGE_MS = process.env.TRICHDAN_REPLICA_TEST === 'full' ? 30_000 : 12_000;
const SUBSCRIBERS = 50;
const FIRST_SUBSCRIBER = 9_000_000;
const TOKEN = `626262626:${'Outage_test-token'.repeat(2)}`;

const found = findPostgres();
const skip = process.env.TRICHDAN_TEST_PG === '0' ? 'PostgreSQL tests turned off (TRICHDAN_TEST_PG=0).' : 'missing' in found ? found.missing : null;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(skip !== null)(`PostgreSQL stopped during a run (issue 13)${skip ? `: ${skip}` : ''}`, () => {
  let server: PgServer | undefined;
  let emulator: Emulator | undefined;
  let lb: LoadBalancer | undefined;
  let replica: Replica | undefined;
  let work: string | undefined;

  afterAll(async () => {
    if (replica && process.env.TRICHDAN_REPLICA_LOGS) writeFileSync(path.join(process.env.TRICHDAN_REPLICA_LOGS, 'outage.log'), replica.stderr());
    if (replica) await stopReplicas([replica]);
    await lb?.close();
    await emulator?.stop();
    await server?.destroy();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it(`no crash, no lost digest, one clear log line and recovery on its own after ${OUTAGE_MS / 1000} s without the database`, async () => {
    server = await startPostgres();
    const databaseUrl = await server.createDatabase();
    emulator = await startEmulator({ acceptAll: true });
    work = mkdtempSync(path.join(tmpdir(), 'trichdan-outage-'));
    const port = await freePort();
    lb = await startLoadBalancer(() => (replica?.alive() ? [port] : []));
    replica = startReplica({ index: 0, port, work, databaseUrl, apiRoot: emulator.apiRoot, token: TOKEN, webhookUrl: lb.url });
    await waitFor(() => replica!.stderr().includes('is answering'), 120_000, 'the replica to start');

    // The subscribers' slot is the next minute at least 8 s away: it comes due while the database is down.
    const slot = new Date(Math.ceil((Date.now() + 8_000) / 60_000) * 60_000);
    const time = `${String(slot.getUTCHours()).padStart(2, '0')}:${String(slot.getUTCMinutes()).padStart(2, '0')}`;
    await seedSubscribers(databaseUrl, FIRST_SUBSCRIBER, SUBSCRIBERS, time, new Date(Date.now() - 3600_000));
    await sleep(Math.max(0, slot.getTime() - 4_000 - Date.now()));

    await server.stop();
    const stoppedAt = Date.now();
    await waitFor(() => replica!.stderr().includes('not taking updates until it is back') || undefined, 15_000, 'the replica to notice');
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toMatch(/not ready: the database is unreachable/);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    await sleep(Math.max(0, stoppedAt + OUTAGE_MS - Date.now()));
    expect(Date.now()).toBeGreaterThan(slot.getTime()); // the slot came while the database was down
    expect(replica.alive()).toBe(true);
    await server.start();

    const log = await (async () => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const l = await deliveryLog(databaseUrl).catch(() => null);
        if (l && (l.byStatus.sent ?? 0) >= SUBSCRIBERS) return l;
        if (Date.now() > deadline) throw new Error(`digests not all sent after the database came back: ${JSON.stringify(l?.byStatus)}`);
        await sleep(250);
      }
    })();
    const recoveredIn = (Date.now() - stoppedAt - OUTAGE_MS) / 1000;
    await waitFor(() => replica!.stderr().includes('answers again: taking updates') || undefined, 15_000, 'the recovery line');
    const received = new Map<number, number>();
    for (const m of emulator.botMessages(TOKEN)) received.set(m.chatId, (received.get(m.chatId) ?? 0) + 1);
    let lost = 0;
    let duplicated = 0;
    for (let chat = FIRST_SUBSCRIBER; chat < FIRST_SUBSCRIBER + SUBSCRIBERS; chat++) {
      const expected = log.parts.get(chat)?.length ?? 0;
      const got = received.get(chat) ?? 0;
      if (expected === 0 || got < expected) lost++;
      if (got > expected) duplicated++;
    }
    const lines = replica.stderr().split('\n').filter((l) => /database|digest: tick|ticks work again/.test(l));
    process.stdout.write(
      `outage: database down ${OUTAGE_MS / 1000} s, slot ${time} UTC inside it; all ${SUBSCRIBERS} digests sent ${recoveredIn.toFixed(1)} s after it came back; ` +
        `lost ${lost}, duplicated ${duplicated}; log lines:\n  ${lines.join('\n  ')}\n`,
    );
    expect(lost).toBe(0);
    expect(duplicated).toBe(0);
    expect(log.byStatus.sent).toBe(SUBSCRIBERS);
    // Not one line per failed call: the outage is said once by the health check and once by the digest ticks.
    expect(lines.filter((l) => l.includes('not taking updates')).length).toBe(1);
    expect(replica.stderr()).not.toMatch(/\n\s+at /); // no stack trace

    // Questions are answered again, with no restart.
    const user = emulator.user(TOKEN, { userId: FIRST_SUBSCRIBER - 1, languageCode: 'vi' });
    await user.sendText('Mỹ hỗ trợ bao nhiêu tiền cho dự án xử lý dioxin ở Biên Hòa?');
    await waitFor(() => emulator!.botMessages(TOKEN, FIRST_SUBSCRIBER - 1).length > 0 || undefined, 30_000, 'an answer after the outage');
    expect(htmlToText(emulator.botMessages(TOKEN, FIRST_SUBSCRIBER - 1)[0].text)).toContain('130 triệu USD');
  }, 240_000);
});
