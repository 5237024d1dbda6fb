import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The product's layers, bottom up: a module imports only from its own layer and those below.
// text/ → corpus/ → index/ → search/ → answer/ → engine → the interfaces (bot/, digest/, cli/, ...).

const SRC = path.resolve(import.meta.dirname, '..', 'src');
const LAYERS: Record<string, number> = { text: 0, corpus: 1, index: 2, search: 3, answer: 4, 'engine.ts': 5, 'engine-types.ts': 5 };
const TOP = 6;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

/** The project modules a file imports or re-exports from (`import type` included). */
function projectImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'(\.[^']+)'/gms)].map((m) => path.resolve(path.dirname(file), m[1]));
}

/**
 * Top-level modules below every layer (errors.ts, config.ts, process-alive.ts): they import
 * nothing of the project but each other, so any layer may use them.
 */
function isBaseModule(file: string, via: readonly string[] = []): boolean {
  if (path.dirname(file) !== SRC || path.basename(file) in LAYERS || via.includes(file)) return false;
  return projectImports(file).every((target) => isBaseModule(target, [...via, file]));
}

function layerOf(file: string): number {
  const top = path.relative(SRC, file).split(path.sep)[0];
  return LAYERS[top] ?? TOP;
}

describe('layers', () => {
  it('no module imports from a layer above its own', () => {
    const upward: string[] = [];
    for (const file of sourceFiles(SRC)) {
      for (const target of projectImports(file)) {
        if (!isBaseModule(target) && layerOf(target) > layerOf(file)) upward.push(`${path.relative(SRC, file)} → ${path.relative(SRC, target)}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('text/ imports nothing of the project outside text/', () => {
    const outside = sourceFiles(path.join(SRC, 'text')).flatMap((file) =>
      projectImports(file)
        .filter((target) => !target.startsWith(path.join(SRC, 'text') + path.sep))
        .map((target) => `${path.relative(SRC, file)} → ${path.relative(SRC, target)}`),
    );
    expect(outside).toEqual([]);
  });
});
