import { describe, expect, it } from 'vitest';
import { PostingsStore } from '../../src/index/postings.ts';

describe('PostingsStore', () => {
  const { store, lengths } = PostingsStore.build(['Biên Hòa, Biên Hòa', 'biển và hòa bình', 'Sân bay Biên Hòa']);
  const postings = (key: string) => {
    const l = store.list(key);
    if (l < 0) return [];
    return [...store.docs.subarray(store.offsets[l], store.offsets[l + 1])].map((doc, i) => [doc, store.tfs[store.offsets[l] + i]]);
  };

  it('keeps each key’s documents in order with their term frequencies', () => {
    expect(postings('E:biên hòa')).toEqual([[0, 2], [2, 1]]);
    expect(postings('e:hòa')).toEqual([[0, 2], [1, 1], [2, 1]]);
    expect(lengths[1]).toBe(4);
  });

  it('folded keys merge diacritic variants; pairs exist only for adjacent words', () => {
    expect(postings('f:bien').map(([doc]) => doc)).toEqual([0, 1, 2]);
    expect(postings('F:bien hoa').map(([doc]) => doc)).toEqual([0, 2]);
    expect(store.list('E:biển hòa')).toBe(-1);
    expect(store.documentFrequency('e:không')).toBe(0);
    expect(store.list('x:nonsense')).toBe(-1);
  });
});
