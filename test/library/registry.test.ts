/**
 * The shared corpus registry (issue 13), on SQLite and PostgreSQL: what one replica publishes the
 * others read back byte for byte, in order; the same content is never published twice (a replica
 * applying a change it read does not echo it); a removal is a change too, and the digest never
 * announces a removed article.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SqlClient } from '../../src/db/sql.ts';
import { DigestStore } from '../../src/digest/store.ts';
import { CorpusRegistry } from '../../src/library/registry.ts';
import { testDatabases } from '../helpers/database-backends.ts';
import { sqlClients } from '../db/helpers/sql-clients.ts';

describe.each(testDatabases())('corpus registry on $name', ({ name, skip, url }) => {
  const clients = sqlClients();
  afterEach(() => clients.closeAll());
  const open = async (): Promise<SqlClient> => clients.open(name, await url());

  it.skipIf(skip)(skip ?? 'gives other replicas the files published, exactly and in order, once each', async () => {
    const sql = await open();
    const a = new CorpusRegistry(sql, 'replica-a');
    const b = new CorpusRegistry(sql, 'replica-b');
    const first = Buffer.from('# Bài một\n\nNội dung có dấu: Biên Hòa, hòm hài cốt.\n');
    const odd = Buffer.from([0xff, 0xfe, 0x41, 0x0a]); // not UTF-8: still byte for byte
    expect(await a.publish([{ name: 'bai-mot.md', body: first }, { name: 'la.txt', body: odd }])).toEqual(['bai-mot.md', 'la.txt']);
    const seen = await b.changesSince(0);
    expect(seen.map((f) => f.name)).toEqual(['bai-mot.md', 'la.txt']);
    expect(seen[0].body!.equals(first)).toBe(true);
    expect(seen[1].body!.equals(odd)).toBe(true);
    expect(seen[1].version).toBeGreaterThan(seen[0].version);
    // B applies what it read and publishes its own snapshot: nothing changes, nothing is echoed.
    expect(await b.publish([{ name: 'bai-mot.md', body: first }])).toEqual([]);
    expect(await a.changesSince(seen[1].version)).toEqual([]);
  });

  it.skipIf(skip)(skip ?? 'publishes a removal, and the digest no longer lists the removed article', async () => {
    const sql = await open();
    const registry = new CorpusRegistry(sql, 'replica-a');
    const store = new DigestStore(sql);
    await store.syncArticles([{ id: 'bai-mot', contentHash: 'h1', title: 'Bài một' } as never]);
    await registry.publish([{ name: 'bai-mot.md', body: Buffer.from('x') }]);
    const before = (await registry.changesSince(0)).at(-1)!.version;
    expect(await registry.publish([{ name: 'bai-mot.md', body: null }])).toEqual(['bai-mot.md']);
    const [removal] = await registry.changesSince(before);
    expect(removal).toMatchObject({ name: 'bai-mot.md', body: null, contentHash: null });
    expect(await store.articlesAfter(0)).toEqual([]);
    // Removing what is already removed is no change.
    expect(await registry.publish([{ name: 'bai-mot.md', body: null }])).toEqual([]);
  });
});
