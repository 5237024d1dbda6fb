import { describe, expect, it } from 'vitest';
import { clipText } from '../../src/text/clip.ts';

describe('clipText', () => {
  it('keeps short text as it is', () => {
    expect(clipText('Biên Hòa', 8)).toBe('Biên Hòa');
  });

  it('cuts at a word, drops trailing separators, ends with "…", within the limit', () => {
    const out = clipText('Mỹ hỗ trợ, xử lý dioxin ở Biên Hòa', 20);
    expect(out).toBe('Mỹ hỗ trợ, xử lý…');
    expect(out.length).toBeLessThanOrEqual(20);
  });

  it('cuts inside a word only when there is no space in the second half, never inside a surrogate pair', () => {
    expect(clipText('x'.repeat(100), 10)).toBe(`${'x'.repeat(9)}…`);
    const emoji = clipText('a'.repeat(8) + '😀'.repeat(5), 10);
    expect(emoji).toBe(`${'a'.repeat(8)}…`);
  });
});
