import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dependencyReport } from '../scripts/check-deps.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('package.json', () => {
  it('lists no unused package, and the product (src/, bin/) imports no devDependency', () => {
    expect(dependencyReport(root).problems).toEqual([]);
  });
});
