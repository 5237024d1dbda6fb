import type { Config } from './config.ts';
import type { Article } from './corpus/article.ts';
import { loadCorpus, sortNewestFirst } from './corpus/load.ts';
import type { Chunk } from './index/chunk-types.ts';
import { loadEmbedder, type Embedder, type LoadEmbedderOptions } from './index/embedder.ts';
import { openIndex, type LoadedIndex } from './index/build.ts';
import { createProgress, type Progress } from './index/progress.ts';
import { composeAnswer, type ComposeOptions } from './answer/compose.ts';
import type { Answer, AskOptions, InputProblem } from './answer/types.ts';
import type { Engine, EngineOptions, EngineStatus } from './engine-types.ts';
import { analyzeQuestion } from './search/analyze.ts';
import { loadLexicon, type Lexicon } from './search/lexicon.ts';
import { Retriever, type RetrievalMode, type RetrievalTimings } from './search/retriever.ts';
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

/** Extra knobs for benchmarks and evaluation; the product uses the defaults. */
export interface AskInternals {
  mode?: RetrievalMode;
  timings?: RetrievalTimings & { composeMs: number };
}

/** The retrieval core: corpus, index, model and lexicon, loaded once. */
export class RetrievalEngine implements Engine {
  private readonly byId: Map<string, Article>;
  private readonly chunkById: Map<string, Chunk>;
  private readonly retriever: Retriever;
  private readonly newestFirst: Article[];

  constructor(
    private readonly config: Config,
    readonly index: LoadedIndex,
    readonly articleList: readonly Article[],
    embedder: Embedder | null,
    private readonly modelProblem: string | null,
    private readonly lexicon: Lexicon | null,
    private readonly lexiconProblem: string | null,
  ) {
    this.byId = new Map(articleList.map((a) => [a.id, a]));
    this.chunkById = new Map(index.chunks.map((c) => [c.id, c]));
    this.newestFirst = sortNewestFirst([...articleList]);
    this.retriever = new Retriever({
      chunks: index.chunks,
      lexical: index.lexical,
      vectors: index.vectors,
      embedder,
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

  async ask(question: string, options: AskOptions = {}, internals: AskInternals = {}): Promise<Answer> {
    const retrieval = this.retriever.hybrid && internals.mode !== 'lexical' ? 'hybrid' : 'lexical';
    const problem = this.inputProblem(question);
    if (problem) {
      return { question, answered: false, language: 'vi', results: [], matchedTerms: [], retrieval, inputProblem: problem };
    }
    const query = analyzeQuestion(question.trim(), this.lexicon, { vocabulary: this.index.lexical });
    const topK = options.topK ?? this.config.retrieval.topK;
    const offset = options.offset ?? 0;
    const ranked = await this.retriever.retrieve(query, (offset + topK) * OVERFETCH, {
      articleIds: options.articleIds,
      mode: internals.mode,
      timings: internals.timings,
    });
    const t0 = performance.now();
    const composeOptions: ComposeOptions = {
      topK,
      offset,
      minConfidence: this.config.retrieval.minConfidence,
      minConfidenceEnglish: this.config.retrieval.minConfidenceEnglish,
      denseFloor: DENSE_FLOOR,
      denseCeiling: DENSE_CEILING,
    };
    const answer = composeAnswer({
      question,
      query,
      ranked,
      article: (id) => this.byId.get(id),
      lexical: this.index.lexical,
      retrieval,
      options: composeOptions,
    });
    if (internals.timings) internals.timings.composeMs += performance.now() - t0;
    return answer;
  }

  /** Ranked passages without answer composition (for evaluation and benchmarks). */
  async rank(question: string, k: number, mode?: RetrievalMode) {
    return this.retriever.retrieve(analyzeQuestion(question.trim(), this.lexicon, { vocabulary: this.index.lexical }), k, { mode });
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
      modelProblem: this.modelProblem,
      articleCount: this.articleList.length,
      chunkCount: this.index.chunks.length,
      indexDir: this.config.indexDir,
      corpusDir: this.config.corpusDir,
      lexiconLoaded: this.lexicon !== null,
      lexiconProblem: this.lexiconProblem,
    };
  }

  async close(): Promise<void> {
    // Nothing holds OS resources beyond memory; kept for interface symmetry with stores that do.
  }
}

/**
 * Loads the corpus, the model (when it can be had), the lexicon and the index
 * (rebuilding what no longer matches), and says in one line each what it did.
 */
export async function createEngine(
  config: Config,
  options: EngineOptions & { forceRebuild?: boolean } = {},
): Promise<RetrievalEngine> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const { articles, skipped } = await loadCorpus(config.corpusDir);
  for (const s of skipped) log(`warning: skipped ${s.path}: ${s.reason}`);

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

  const index = await openIndex({
    indexDir: config.indexDir,
    articles,
    chunking: config.chunking,
    embedder,
    embedderProblem: modelProblem,
    model: { quantized: config.model.quantized, prefixes: config.model.prefixes },
    hnsw: config.hnsw,
    force: options.forceRebuild,
    progress: options.progress,
  });
  for (const action of index.actions) log(action);
  return new RetrievalEngine(config, index, articles, embedder, modelProblem, lexicon, lexiconProblem);
}
