/**
 * Cold start: wall time from spawning `node bin/trichdan.js ask --json "…"` to its exit with
 * one answer printed, with an existing index versus a rebuild into a new index directory.
 * Each case runs a few times; the median is reported.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { median } from './stats.ts';

/** One cold-start case and its timings. */
export interface ColdStartResult {
  label: string;
  /** The command as it was run (without the environment). */
  command: string;
  runsMs: number[];
  medianMs: number;
  /** Median time to the first byte on stdout (the answer). */
  medianFirstOutputMs: number;
  /** Whether every run printed a parseable answer (for `--help`: exited 0). */
  ok: boolean;
}

interface RunOutcome {
  ms: number;
  firstOutputMs: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

function runOnce(projectRoot: string, args: string[], env: Record<string, string>): Promise<RunOutcome> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let firstOutputMs = Number.NaN;
    let stdout = '';
    let stderr = '';
    const child = spawn(process.execPath, [path.join(projectRoot, 'bin', 'trichdan.js'), ...args], {
      cwd: projectRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => {
      if (Number.isNaN(firstOutputMs)) firstOutputMs = performance.now() - t0;
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - t0, firstOutputMs, code, stdout, stderr }));
  });
}

function answered(out: RunOutcome): boolean {
  try {
    const parsed = JSON.parse(out.stdout.trim()) as { answered?: unknown };
    return out.code === 0 && typeof parsed.answered === 'boolean';
  } catch {
    return false;
  }
}

/** What a cold-start measurement needs to know. */
export interface ColdStartSetup {
  projectRoot: string;
  corpusDir: string;
  /** Index directory for the "existing index" case (built before timing starts). */
  indexDir: string;
  question: string;
  /** Settings for the child (model selection). */
  env: Record<string, string>;
  runs: number;
  label: string;
}

/** Times `ask --json` with an existing index and with a rebuild into a fresh directory. */
export async function measureColdStart(setup: ColdStartSetup): Promise<ColdStartResult[]> {
  const { projectRoot, corpusDir, indexDir, question, env, runs } = setup;
  const ask = (index: string) => ['--corpus', corpusDir, '--index', index, '-q', 'ask', '--json', question];
  const shown = (index: string) => `node bin/trichdan.js --corpus ${corpusDir} --index ${index} -q ask --json "${question}"`;

  // Make sure the existing-index case really has a current index (not timed).
  const prep = await runOnce(projectRoot, ['--corpus', corpusDir, '--index', indexDir, '-q', 'index'], env);
  if (prep.code !== 0) throw new Error(`cold start: building the index failed: ${prep.stderr.trim().split('\n').pop()}`);

  const existing: RunOutcome[] = [];
  const rebuilt: RunOutcome[] = [];
  for (let r = 0; r < runs; r++) {
    existing.push(await runOnce(projectRoot, ask(indexDir), env));
    const fresh = await mkdtemp(path.join(os.tmpdir(), 'trichdan-bench-cold-'));
    try {
      rebuilt.push(await runOnce(projectRoot, ask(fresh), env));
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  }
  const summary = (label: string, command: string, outs: RunOutcome[]): ColdStartResult => ({
    label,
    command,
    runsMs: outs.map((o) => o.ms),
    medianMs: median(outs.map((o) => o.ms)),
    medianFirstOutputMs: median(outs.map((o) => o.firstOutputMs)),
    ok: outs.every(answered),
  });
  return [
    summary(`${setup.label}, existing index`, shown(indexDir), existing),
    summary(`${setup.label}, rebuild (new index dir)`, shown('<new temp dir>'), rebuilt),
  ];
}

/** Process start + module loading only (`trichdan --help`): the floor under every cold start. */
export async function measureProcessFloor(projectRoot: string, runs: number): Promise<ColdStartResult> {
  const outs: RunOutcome[] = [];
  for (let r = 0; r < runs; r++) outs.push(await runOnce(projectRoot, ['--help'], {}));
  return {
    label: 'process + tsx + CLI modules only (`--help`)',
    command: 'node bin/trichdan.js --help',
    runsMs: outs.map((o) => o.ms),
    medianMs: median(outs.map((o) => o.ms)),
    medianFirstOutputMs: median(outs.map((o) => o.firstOutputMs)),
    ok: outs.every((o) => o.code === 0),
  };
}
