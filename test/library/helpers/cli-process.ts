/**
 * The real CLI as a child process (`node bin/trichdan.js …`, what `npx trichdan` runs), started
 * asynchronously so a test can watch the folders while it works and kill it with SIGKILL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../../helpers/engine.ts';

export const BIN = path.join(PROJECT_ROOT, 'bin/trichdan.js');

/** A running CLI process. */
export interface CliProcess {
  child: ChildProcess;
  /** Resolves when the process has ended (and been reaped), with its exit code (null when killed) and output. */
  done: Promise<CliResult>;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `trichdan …args` with only PATH, HOME and `env` in its environment (and `input` on stdin, else none). */
export function startCli(args: string[], env: Record<string, string>, input?: string): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (input !== undefined) child.stdin!.end(input);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/** Runs `trichdan …args` to the end (killed after `timeoutMs`), with `input` on stdin. */
export async function runCli(args: string[], env: Record<string, string>, timeoutMs = 60_000, input?: string): Promise<CliResult> {
  const run = startCli(args, env, input);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), timeoutMs);
  try {
    return await run.done;
  } finally {
    clearTimeout(timer);
  }
}
