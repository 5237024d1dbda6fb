import { GrammyError, HttpError } from 'grammy';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/digest/clock.ts';
import { classify } from '../../src/digest/delivery.ts';
import { SendPacer } from '../../src/digest/rate-limit.ts';

const apiError = (code: number, description: string, retry_after?: number) =>
  new GrammyError('x', { ok: false, error_code: code, description, parameters: retry_after ? { retry_after } : {} }, 'sendMessage', {});

describe('SendPacer', () => {
  it('spaces messages evenly at the overall rate', async () => {
    const clock = new FakeClock(0);
    const pacer = new SendPacer(clock, 25, 1000);
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 50 }, async (_, chat) => {
        await pacer.acquire(chat);
        times.push(clock.now().getTime());
      }),
    );
    times.sort((a, b) => a - b);
    expect(times[0]).toBe(0);
    expect(times.at(-1)).toBe(49 * 40);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(40);
  });

  it('keeps a second between two messages to the same chat', async () => {
    const clock = new FakeClock(0);
    const pacer = new SendPacer(clock, 25, 1000);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      await pacer.acquire(7);
      times.push(clock.now().getTime());
    }
    expect(times).toEqual([0, 1000, 2000]);
  });

  it('holds everyone during a flood-wait', async () => {
    const clock = new FakeClock(0);
    const pacer = new SendPacer(clock, 25, 1000);
    await pacer.acquire(1);
    pacer.pause(5000);
    await pacer.acquire(2);
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(5000);
  });
});

describe('classify', () => {
  it('sorts Telegram errors into what to do next', () => {
    expect(classify(apiError(429, 'Too Many Requests: retry after 7', 7))).toMatchObject({ kind: 'flood', retryAfter: 7 });
    expect(classify(apiError(403, 'Forbidden: bot was blocked by the user'))).toMatchObject({ kind: 'gone' });
    expect(classify(apiError(403, 'Forbidden: user is deactivated'))).toMatchObject({ kind: 'gone' });
    expect(classify(apiError(400, 'Bad Request: chat not found'))).toMatchObject({ kind: 'gone' });
    expect(classify(apiError(400, "Bad Request: can't parse entities"))).toMatchObject({ kind: 'rejected' });
    expect(classify(apiError(401, 'Unauthorized'))).toMatchObject({ kind: 'transient' });
    expect(classify(apiError(502, 'Bad Gateway'))).toMatchObject({ kind: 'transient' });
    expect(classify(new HttpError('Network request for sendMessage failed!', new Error('ECONNRESET')))).toMatchObject({
      kind: 'transient',
    });
  });
});
