import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Update } from 'grammy/types';
import { afterEach, describe, expect, it } from 'vitest';
import { InboxStore } from '../../src/db/inbox-store.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const dbFile = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'trichdan-inbox-'));
  dirs.push(d);
  return path.join(d, 'trichdan.sqlite');
};
const update = (id: number): Update => ({ update_id: id, message: { message_id: id, date: 0, chat: { id: 1, type: 'private', first_name: 'A' }, text: `q${id}` } }) as Update;

describe('InboxStore', () => {
  it('keeps what was received until it is done, across a reopen (a restart), and drops what comes again', () => {
    const file = dbFile();
    let now = 1_000;
    const first = new InboxStore(file, 42, () => now);
    expect(first.receive([update(1), update(2), update(3)]).map((u) => u.update_id)).toEqual([1, 2, 3]);
    first.done(1);
    first.close();

    const second = new InboxStore(file, 42, () => now);
    expect(second.pending().map((p) => [p.update.update_id, p.receivedAt])).toEqual([
      [2, 1_000],
      [3, 1_000],
    ]);
    expect(second.pending()[0].update).toEqual(update(2));
    // Telegram delivers 2 and 3 again (never confirmed), and 4 for the first time.
    expect(second.receive([update(2), update(3), update(4)]).map((u) => u.update_id)).toEqual([4]);
    second.done(2);
    second.done(3);
    second.done(4);
    expect(second.pending()).toEqual([]);
    // Another bot on the same file has its own update ids.
    const other = new InboxStore(file, 43, () => now);
    expect(other.receive([update(2)]).map((u) => u.update_id)).toEqual([2]);
    other.close();
    second.close();

    // Done rows are forgotten after a day.
    now += 25 * 3600_000;
    const later = new InboxStore(file, 42, () => now);
    expect(later.receive([update(1)]).map((u) => u.update_id)).toEqual([1]);
    later.close();
  });
});
