import type { Config } from './config.ts';
import type { Article } from './corpus/article.ts';
import { sortNewestFirst } from './corpus/load.ts';
import type { Chunk } from './index/chunk-types.ts';
import { loadEmbedder, type Embedder, type LoadEmbedderOptions } from './index/embedder.ts';
import { openIndex, type IndexSettings, type LoadedIndex } from './index/build.ts';
import { createProgress, type Progress } from './index/progress.ts';
import { composeAnswer, type ComposeOptions } from './answer/compose.ts';
import type { Answer, AskOptions, InputProblem } from './answer/types.ts';
import type { Engine, EngineOptions, EngineStatus } from './engine-types.ts';
import { analyzeQuestion } from './search/analyze.ts';
import { withContext } from './search/context.ts';
import { loadLexicon, type Lexicon } from './search/lexicon.ts';
import { Retriever, type RetrievalMode } from './search/retriever.ts';
import { stripInvisible } from './text/normalize.ts';
import { tokenize } from './text/tokens.ts';

/** How to load the configured model. */
export function embedderOptions(config: Config): LoadEmbedderOptions {
  const { id, modelsDir, quantized, allowRemote, hubUrl, prefixes, batchSize } = config.model;
  return { modelId: id, modelsDir, quantized, allowRemote, remoteHost: hubUrl, prefixes, batchSize };
}

/** Dense cosine → confidence mapping for E5-family models (see README "Abstention"). */
const DENSE_FLOOR = 0.82;
const DENSE_CEILING = 0.92;
/** Candidates fetched per requested result, so deduplication and the confidence bar still leave enough. */
const OVERFETCH = 4;

/** What outlives an index snapshot: settings, the model and the lexicon, loaded once per process. */
export interface EngineResources {
  config: Config;
  embedder: Embedder | null;
  /** Why there is no model, when there is none. */
  modelProblem: string | null;
  lexicon: Lexicon | null;
  lexiconProblem: string | null;
}

/** How the index is built with these resources. */
export function indexSettings(resources: EngineResources, progress?: boolean): IndexSettings {
  const { config, embedder, modelProblem } = resources;
  return {
    indexDir: config.indexDir,
    chunking: config.chunking,
    embedder,
    embedderProblem: modelProblem,
    model: { quantized: config.model.quantized, prefixes: config.model.prefixes },
    hnsw: config.hnsw,
    progress,
  };
}

/** The retrieval core on one index snapshot: a new snapshot makes a new engine, the resources are shared. */
export class RetrievalEngine implements Engine {
  private readonly config: Config;
  private readonly byId: Map<string, Article>;
  private readonly chunkById: Map<string, Chunk>;
  private readonly retriever: Retriever;
  private readonly newestFirst: Article[];

  constructor(
    readonly resources: EngineResources,
    readonly index: LoadedIndex,
  ) {
    this.config = resources.config;
    this.byId = new Map(index.articles.map((a) => [a.id, a]));
    this.chunkById = new Map();
    for (const c of index.chunks) if (c) this.chunkById.set(c.id, c);
    this.newestFirst = sortNewestFirst([...index.articles]);
    this.retriever = new Retriever({
      chunks: index.chunks,
      lexical: index.lexical,
      vectors: index.vectors,
      embedder: resources.embedder,
    });
  }

  /** Why a question cannot be asked as typed, or null. */
  private inputProblem(question: string): InputProblem | null {
    const trimmed = question.trim();
    if (!trimmed) return 'empty';
    if (trimmed.length > this.config.retrieval.maxQuestionChars) return 'too_long';
    if (tokenize(trimmed).length === 0) return 'no_words';
    return null;
  }

  async ask(asked: string, options: AskOptions = {}): Promise<Answer> {
    // Invisible characters go first, as in the index: "dio\u200bxin" is "dioxin".
    const question = stripInvisible(asked);
    const retrieval = this.retriever.hybrid ? 'hybrid' : 'lexical';
    const problem = this.inputProblem(question);
    if (problem) {
      return { question, answered: false, language: 'vi', results: [], matchedTerms: [], retrieval, inputProblem: problem };
    }
    const query = options.context?.trim() ? withContext(this.analyze(question), this.analyze(options.context)) : this.analyze(question);
    const topK = options.topK ?? this.config.retrieval.topK;
    const offset = options.offset ?? 0;
    const ranked = await this.retriever.retrieve(query, (offset + topK) * OVERFETCH, { articleIds: options.articleIds });
    const composeOptions: ComposeOptions = {
      topK,
      offset,
      minConfidence: this.config.retrieval.minConfidence,
      minConfidenceEnglish: this.config.retrieval.minConfidenceEnglish,
      denseFloor: DENSE_FLOOR,
      denseCeiling: DENSE_CEILING,
    };
    return composeAnswer({
      question,
      query,
      ranked,
      article: (id) => this.byId.get(id),
      lexical: this.index.lexical,
      retrieval,
      options: composeOptions,
    });
  }

  /**
   * Ranked passages without answer composition, for `trichdan eval`; `mode` is the
   * retriever's own (one side alone), which the benchmarks compare.
   */
  async rank(question: string, k: number, mode?: RetrievalMode) {
    return this.retriever.retrieve(this.analyze(stripInvisible(question)), k, { mode });
  }

  /** The weighted query for a text (invisible characters already removed). */
  private analyze(text: string) {
    return analyzeQuestion(text.trim(), this.resources.lexicon, { vocabulary: this.index.lexical });
  }

  articles(): readonly Article[] {
    return this.newestFirst;
  }

  article(id: string): Article | undefined {
    return this.byId.get(id);
  }

  chunk(id: string): Chunk | undefined {
    return this.chunkById.get(id);
  }

  status(): EngineStatus {
    return {
      retrieval: this.retriever.hybrid ? 'hybrid' : 'lexical',
      modelId: this.config.model.id,
      modelProblem: this.resources.modelProblem,
      articleCount: this.index.articles.length,
      chunkCount: this.index.chunkCount,
      indexDir: this.config.indexDir,
      corpusDir: this.config.corpusDir,
      lexiconLoaded: this.resources.lexicon !== null,
      lexiconProblem: this.resources.lexiconProblem,
      lastIngestAt: this.index.manifest.updatedAt,
    };
  }

  async close(): Promise<void> {
    // Nothing holds OS resources beyond memory; kept for interface symmetry with stores that do.
  }
}

/** Loads the model (when it can be had) and the lexicon, and says in one line each what is missing. */
export async function loadResources(config: Config, options: EngineOptions = {}): Promise<EngineResources> {
  const log = options.log ?? stderrLine;
  let lexicon: Lexicon | null = null;
  let lexiconProblem: string | null = null;
  if (config.lexiconPath) {
    try {
      lexicon = await loadLexicon(config.lexiconPath);
    } catch (error) {
      lexiconProblem = error instanceof Error ? error.message : String(error);
    }
  } else {
    lexiconProblem = 'no English–Vietnamese lexicon configured (TRICHDAN_LEXICON)';
  }
  if (lexiconProblem) log(`English questions without translation: ${lexiconProblem}`);

  const downloads = new Map<string, Progress>();
  const loaded = await loadEmbedder({
    ...embedderOptions(config),
    // First use on a machine with hub access: one progress bar per model file (terminals only).
    onDownloadProgress: (info) => {
      if (options.progress === false || !info.file) return;
      if (info.status === 'progress' && info.total) {
        let bar = downloads.get(info.file);
        if (!bar) downloads.set(info.file, (bar = createProgress(`Downloading ${config.model.id}/${info.file}`, info.total)));
        bar.update(info.loaded ?? 0, info.total);
      } else if (info.status === 'done') downloads.get(info.file)?.stop();
    },
  });
  for (const bar of downloads.values()) bar.stop();
  const embedder = loaded.ok ? loaded.embedder : null;
  const modelProblem = loaded.ok ? null : loaded.problem;
  if (modelProblem) log(`lexical-only retrieval: ${modelProblem}`);
  return { config, embedder, modelProblem, lexicon, lexiconProblem };
}

/**
 * Loads the model, the lexicon and the index (bringing it in step with the corpus folder, or
 * rebuilding what no longer matches), and says in one line each what it did. The parts of an
 * engine, for {@link createEngine} and the live library.
 */
export async function openEngineParts(
  config: Config,
  options: EngineOptions & { forceRebuild?: boolean } = {},
): Promise<{ resources: EngineResources; index: LoadedIndex; log: (line: string) => void }> {
  const log = options.log ?? stderrLine;
  const resources = await loadResources(config, { ...options, log });
  const { index, skipped } = await openIndex({
    ...indexSettings(resources, options.progress),
    corpusDir: config.corpusDir,
    force: options.forceRebuild,
  });
  for (const s of skipped) log(`warning: skipped ${s.path}: ${s.reason}`);
  for (const action of index.actions) log(action);
  return { resources, index, log };
}

/** An engine on the index as it is after {@link openEngineParts}. */
export async function createEngine(
  config: Config,
  options: EngineOptions & { forceRebuild?: boolean } = {},
): Promise<RetrievalEngine> {
  const { resources, index } = await openEngineParts(config, options);
  return new RetrievalEngine(resources, index);
}

/** Where start-up lines go by default. */
function stderrLine(line: string): void {
  process.stderr.write(`${line}\n`);
}
