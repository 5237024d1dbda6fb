import { describe, expect, it } from 'vitest';
import { Retriever, type RetrieverOptions } from '../../src/search/retriever.ts';
import { memoryVectorStore, passageLibrary, tableEmbedder, type PassageLibrary, type TestArticle } from '../helpers/passages.ts';

/** Articles nobody asks about: they give the words of the questions their rarity. */
const FILLERS: TestArticle[] = [
  { id: 'rong', title: 'Cầu Rồng phun lửa', body: 'Tối thứ Bảy, Cầu Rồng bắc qua sông Hàn phun lửa và phun nước trước hàng nghìn du khách.' },
  { id: 'metro', title: 'Tàu điện ngầm', body: 'Tuyến tàu điện số 1 chở hơn một triệu lượt khách trong tháng đầu vận hành.' },
  { id: 'mua', title: 'Mưa lớn ở miền Trung', body: 'Mưa lớn kéo dài khiến nhiều tuyến đường ở Quảng Ngãi bị ngập sâu.' },
  { id: 'bong-da', title: 'Bóng đá', body: 'Đội tuyển giành chiến thắng hai bàn không gỡ trong trận giao hữu tối qua.' },
];

const ids = (ranked: { chunk: { articleId: string } }[]) => ranked.map((r) => r.chunk.articleId);

describe('Retriever: fusion of the lexical and the dense side', () => {
  // `lex` repeats the question's words (the best BM25) but the dense side finds it far;
  // `dense` shares none of its words but is the dense side's nearest; `both` is second on each side.
  const library = passageLibrary([
    { id: 'lex', title: 'Giá cà phê Robusta tăng', body: 'Giá cà phê Robusta ở Đắk Lắk tăng mạnh. Giá cà phê Robusta xuất khẩu cũng tăng theo.' },
    { id: 'both', title: 'Thị trường nông sản', body: 'Giá cà phê Robusta ở Lâm Đồng tăng trong tuần qua, theo các thương lái địa phương.' },
    { id: 'dense', title: 'Vụ mùa Tây Nguyên', body: 'Nông dân Tây Nguyên phấn khởi vì vụ mùa bội thu, hạt chắc và đều.' },
    ...FILLERS,
  ]);
  const question = 'giá cà phê Robusta hôm nay';
  const embedder = tableEmbedder(
    new Map([
      [question, [1, 0, 0]],
      ['bội thu', [1, 0, 0]],
      ['Lâm Đồng', [0.9, 0.44, 0]],
      ['Đắk Lắk', [0, 1, 0]],
    ]),
    [0, 0, 1],
  );

  async function hybrid(lib: PassageLibrary, options: Partial<RetrieverOptions> = {}) {
    const vectors = memoryVectorStore(await embedder.embedPassages(lib.chunks.map((c) => c.text)));
    return new Retriever({ chunks: lib.chunks, lexical: lib.lexical, vectors, embedder }, options);
  }

  it('each side alone puts its own favourite first', async () => {
    const retriever = await hybrid(library, { sentenceWeight: 0 });
    const query = library.analyze(question);
    expect(ids(await retriever.retrieve(query, 3, { mode: 'lexical' }))[0]).toBe('lex');
    expect(ids(await retriever.retrieve(query, 3, { mode: 'dense' }))[0]).toBe('dense');
  });

  it('ranks a passage strong on both sides above one strong on one side only', async () => {
    const fusedOnly = await hybrid(library, { sentenceWeight: 0 });
    expect(ids(await fusedOnly.retrieve(library.analyze(question), 3))).toEqual(['both', 'lex', 'dense']);
    const withDefaults = await hybrid(library);
    expect(ids(await withDefaults.retrieve(library.analyze(question), 3))[0]).toBe('both');
  });

  it('finds a passage that shares no word with the question through the dense side, with its cosine', async () => {
    const retriever = await hybrid(library);
    expect(retriever.hybrid).toBe(true);
    const ranked = await retriever.retrieve(library.analyze(question), 10);
    const dense = ranked.find((r) => r.chunk.articleId === 'dense')!;
    expect(dense.lexicalScore).toBe(0);
    expect(dense.denseScore).toBeCloseTo(1, 5);
    // Lexical mode does not ask the dense side at all.
    const lexical = await retriever.retrieve(library.analyze(question), 10, { mode: 'lexical' });
    expect(ids(lexical)).not.toContain('dense');
    expect(lexical.every((r) => r.denseScore === null)).toBe(true);
  });

  it('without a model is BM25 alone', async () => {
    const retriever = new Retriever({ chunks: library.chunks, lexical: library.lexical, vectors: null, embedder: null });
    expect(retriever.hybrid).toBe(false);
    const ranked = await retriever.retrieve(library.analyze(question), 3);
    expect(ids(ranked)).toEqual(['lex', 'both']);
  });

  it('keeps to the articles asked for', async () => {
    const retriever = await hybrid(library);
    expect(ids(await retriever.retrieve(library.analyze(question), 5, { articleIds: ['dense', 'rong'] }))).toEqual(['dense', 'rong']);
  });
});

describe('Retriever: re-ranking by the best sentence', () => {
  const lexicalRetriever = (lib: PassageLibrary, options: Partial<RetrieverOptions> = {}) =>
    new Retriever({ chunks: lib.chunks, lexical: lib.lexical, vectors: null, embedder: null }, options);

  it('puts a passage that answers in one sentence above one that scatters the words, though BM25 prefers the second', async () => {
    const library = passageLibrary([
      {
        id: 'scattered',
        title: 'Đà Nẵng về đêm',
        body: 'Cầu Rồng là biểu tượng của Đà Nẵng. Cầu Rồng có đèn đổi màu. Màn phun lửa rất đẹp. Màn phun lửa thu hút du khách. Mỗi cuối tuần phố đông người. Cuối tuần có chợ đêm.',
      },
      {
        id: 'one-sentence',
        title: 'Lễ hội mùa hè',
        body: 'Ban tổ chức cho biết lễ hội sẽ kéo dài đến hết tháng Tám với nhiều hoạt động nghệ thuật đường phố, ẩm thực và thể thao dành cho người dân và du khách trong nước lẫn quốc tế. Cầu Rồng phun lửa vào tối cuối tuần.',
      },
      ...FILLERS.filter((f) => f.id !== 'rong'),
    ]);
    const query = library.analyze('Cầu Rồng phun lửa cuối tuần');
    expect(ids(await lexicalRetriever(library, { sentenceWeight: 0 }).retrieve(query, 2))).toEqual(['scattered', 'one-sentence']);
    expect(ids(await lexicalRetriever(library).retrieve(query, 2))).toEqual(['one-sentence', 'scattered']);
  });

  it('prefers the passage whose best sentence holds what the question asks for (a date for "khi nào")', async () => {
    const library = passageLibrary([
      { id: 'no-date', title: 'Cầu Rồng', body: 'Cầu Rồng khánh thành giữa niềm vui của người dân.' },
      { id: 'date', title: 'Cầu Rồng', body: 'Cầu Rồng khánh thành vào ngày 29 tháng 3 năm 2013.' },
      ...FILLERS,
    ]);
    const query = library.analyze('Cầu Rồng khánh thành khi nào?');
    expect(query.answerType).toBe('time');
    const noBonus = lexicalRetriever(library, { answerTypeBonuses: { quantityOrTime: 0, name: 0 } });
    expect(ids(await noBonus.retrieve(query, 2))).toEqual(['no-date', 'date']);
    expect(ids(await lexicalRetriever(library).retrieve(query, 2))).toEqual(['date', 'no-date']);
  });
});
