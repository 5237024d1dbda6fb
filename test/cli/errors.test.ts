import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { messageForUser } from '../../src/cli/errors.ts';
import { ConfigError } from '../../src/config.ts';
import { CorpusError } from '../../src/corpus/load.ts';
import { BotLockedError } from '../../src/db/bot-lock.ts';
import { DigestStoreError } from '../../src/db/database.ts';
import { UserError } from '../../src/errors.ts';
import { IndexLockedError } from '../../src/index/lock.ts';
import { SegmentError } from '../../src/index/segment-files.ts';
import { VectorStoreError } from '../../src/index/vector-store.ts';
import { IngestError } from '../../src/ingest/types.ts';
import { LexiconError } from '../../src/search/lexicon.ts';

// The one line `trichdan` prints on stderr (after "trichdan: ") when a command fails.

const DEBUG_HINT = '(run with TRICHDAN_LOG_LEVEL=debug for details)';

describe('the line the CLI prints for an error', () => {
  it('shows the message of an error the user can fix as it is, with no hint and no stack', () => {
    const errors = [
      new ConfigError('TRICHDAN_TOP_K="lots": expected a whole number from 1 to 20'),
      new CorpusError('the corpus folder /nowhere does not exist: set TRICHDAN_CORPUS_DIR'),
      new LexiconError('the lexicon /x.tsv has no English-Vietnamese pairs', '/x.tsv'),
      new IngestError('dns', 'the host example.invalid was not found'),
      new IndexLockedError('the index is being updated by process 123: try again when it is done'),
      new VectorStoreError('vectors.hnsw is damaged: run `trichdan index --force`'),
      new DigestStoreError('the database was written by a newer trichdan'),
      new BotLockedError('another bot (process 77) uses this database: stop it first'),
      new UserError('anything else the user can fix'),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(UserError);
      expect(messageForUser(error)).toBe(error.message);
    }
  });

  it('keeps only the first line of a user error\'s message', () => {
    expect(messageForUser(new ConfigError('TRICHDAN_TZ="Mars/Base": unknown time zone\nsecond line'))).toBe('TRICHDAN_TZ="Mars/Base": unknown time zone');
  });

  it('prints an unexpected error as one line, with how to see more, never its stack', () => {
    const error = new TypeError("Cannot read properties of undefined (reading 'id')");
    const line = messageForUser(error);
    expect(line).toBe(`Cannot read properties of undefined (reading 'id') ${DEBUG_HINT}`);
    expect(line).not.toContain('\n');
    expect(line).not.toMatch(/\bat .*:\d+/);
    // A message of several lines (as some libraries write) is cut to its first.
    expect(messageForUser(new Error('first\n    at somewhere (file.ts:1:1)'))).toBe(`first ${DEBUG_HINT}`);
  });

  it('does not take an internal error of the index for one the user can fix', () => {
    // A damaged segment is rebuilt by the program; if one ever reaches the user it is unexpected.
    const error = new SegmentError('segment 3 is damaged');
    expect(error).not.toBeInstanceOf(UserError);
    expect(messageForUser(error)).toBe(`segment 3 is damaged ${DEBUG_HINT}`);
  });

  it('does not trust an error that merely calls itself by a user error\'s name', () => {
    const impostor = Object.assign(new Error('boom'), { name: 'ConfigError' });
    expect(messageForUser(impostor)).toBe(`boom ${DEBUG_HINT}`);
  });

  it('shows a missing or unreadable file as its message, and a path under a setting with the setting and what to do', () => {
    const missing = Object.assign(new Error("ENOENT: no such file or directory, open '/x/a.txt'"), { code: 'ENOENT' });
    expect(messageForUser(missing)).toBe("ENOENT: no such file or directory, open '/x/a.txt'");
    const indexDir = path.resolve('/tmp/trichdan-test-index');
    const full = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC', path: path.join(indexDir, 'seg-1.bin') });
    expect(messageForUser(full, { indexDir })).toBe(
      `the index folder ${indexDir} (TRICHDAN_INDEX_DIR): the disk is full writing ${path.join(indexDir, 'seg-1.bin')}; free some space or point TRICHDAN_INDEX_DIR at another disk`,
    );
  });

  it('prints a thrown non-error as it is', () => {
    expect(messageForUser('plain string')).toBe('plain string');
  });
});
