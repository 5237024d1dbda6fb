/**
 * Where and how a benchmark ran: machine, Node, load, date, commit, and the command line.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

/** The machine a run measured, as printed at the top of the report. */
export interface MachineInfo {
  os: string;
  cpu: string;
  cpus: number;
  memoryBytes: number;
  node: string;
  /** 1/5/15-minute load averages when the run started and ended (a shared machine shows here). */
  loadStart: number[];
  loadEnd: number[];
  date: string;
  commit: string;
}

/** The short commit hash, with "+ uncommitted changes" when the tree is dirty. */
function commit(cwd: string): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8' }).trim();
    return dirty ? `${head} + uncommitted changes` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

/** Reads the machine description at the start of a run (`loadEnd` is filled in by `finish`). */
export function machineInfo(cwd: string): MachineInfo {
  const cpus = os.cpus();
  return {
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cpus: cpus.length,
    memoryBytes: os.totalmem(),
    node: process.version,
    loadStart: os.loadavg(),
    loadEnd: [],
    date: new Date().toISOString(),
    commit: commit(cwd),
  };
}

/** Records the load average at the end of the run. */
export function finish(info: MachineInfo): MachineInfo {
  return { ...info, loadEnd: os.loadavg() };
}
