import { describe, expect, it } from 'vitest';
import { CALLBACK_DATA_LIMIT, CallbackCodec, type CallbackAction } from '../../src/bot/callbacks.ts';
import { LruMap } from '../../src/lru-map.ts';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('CallbackCodec', () => {
  it('round-trips every action within 64 bytes', () => {
    const codec = new CallbackCodec();
    const key = codec.rememberQuestion('Mỹ cam kết gì về dioxin?', 'vi');
    const actions: CallbackAction[] = [
      { kind: 'passage', lang: 'vi', chunkId: '002_8639caca932e6f8c#12' },
      { kind: 'article', lang: 'en', articleId: '004_0f89e1410a4163cd', page: 3, edit: true },
      { kind: 'article', lang: 'vi', articleId: 'a:b:c', page: 0, edit: false },
      { kind: 'more', lang: 'en', key, offset: 3 },
    ];
    for (const action of actions) {
      const data = codec.encode(action);
      expect(bytes(data)).toBeLessThanOrEqual(CALLBACK_DATA_LIMIT);
      expect(codec.decode(data)).toEqual(action);
    }
  });

  it('keeps ids too long for callback_data in memory (non-ASCII counted in bytes)', () => {
    const codec = new CallbackCodec();
    const action: CallbackAction = { kind: 'passage', lang: 'vi', chunkId: `${'bài-báo-quốc-phòng-'.repeat(4)}#7` };
    const data = codec.encode(action);
    expect(data).toMatch(/^x:/);
    expect(bytes(data)).toBeLessThanOrEqual(CALLBACK_DATA_LIMIT);
    expect(codec.decode(data)).toEqual(action);
  });

  it('answers undefined for stale, unknown and malformed data', () => {
    const codec = new CallbackCodec(2);
    const old = codec.rememberQuestion('q1', 'vi');
    codec.rememberQuestion('q2', 'vi');
    codec.rememberQuestion('q3', 'vi');
    expect(codec.question(old)).toBeUndefined();
    expect(new CallbackCodec().question(old)).toBeUndefined(); // after a restart
    for (const data of [undefined, '', 'zz', 'p:q:1', 'm:v:abc:key', 'x:nothing', 'a:v:-1:id', 'n:e:']) {
      expect(codec.decode(data)).toBeUndefined();
    }
  });
});

describe('LruMap', () => {
  it('evicts the least recently used entry', () => {
    const lru = new LruMap<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    lru.get('a');
    lru.set('c', 3);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe(1);
    expect(lru.size).toBe(2);
  });
});
