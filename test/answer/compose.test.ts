import { describe, expect, it } from 'vitest';
import { citationOf } from '../../src/answer/citation.ts';
import { composeAnswer, confidenceOf, englishBar, quoteText, selectQuote, type ComposeOptions } from '../../src/answer/compose.ts';
import type { Answer } from '../../src/answer/types.ts';
import { loadConfig } from '../../src/config.ts';
import { Retriever } from '../../src/search/retriever.ts';
import { passageLibrary, type PassageLibrary, type TestArticle } from '../helpers/passages.ts';

/** The product's confidence bars (the defaults of TRICHDAN_MIN_CONFIDENCE / _EN). */
const { minConfidence, minConfidenceEnglish } = loadConfig({}, { dotenv: false }).retrieval;
const OPTIONS: ComposeOptions = { topK: 3, offset: 0, minConfidence, minConfidenceEnglish, denseFloor: 0.82, denseCeiling: 0.92 };

const REMAINS = {
  id: 'hai-cot',
  title: 'Trao trả hài cốt quân nhân Mỹ',
  body:
    'Lễ bàn giao diễn ra sáng 5/11 tại sân bay quốc tế Đà Nẵng. ' +
    'Việt Nam đã trao trả cho Mỹ 12 hòm hài cốt quân nhân mất tích trong chiến tranh. ' +
    'Đại sứ quán cảm ơn các cơ quan chức năng đã phối hợp.',
};

const OTHERS: TestArticle[] = [
  { id: 'rong', title: 'Cầu Rồng phun lửa', body: 'Tối thứ Bảy, Cầu Rồng bắc qua sông Hàn ở Đà Nẵng phun lửa trước hàng nghìn du khách.' },
  { id: 'ca-phe', title: 'Giá cà phê tăng', body: 'Giá cà phê Robusta tại Đắk Lắk đạt 132.000 đồng mỗi kilôgam, cao nhất từ trước tới nay.' },
  { id: 'metro', title: 'Tàu điện ngầm', body: 'Tuyến tàu điện số 1 chở hơn một triệu lượt khách trong tháng đầu vận hành.' },
  { id: 'mua', title: 'Mưa lớn ở miền Trung', body: 'Mưa lớn kéo dài khiến nhiều tuyến đường ở Quảng Ngãi bị ngập sâu.' },
];

/** What the engine does with a question, on these passages: retrieve (BM25), then compose. */
async function ask(library: PassageLibrary, question: string, options: ComposeOptions = OPTIONS): Promise<Answer> {
  const query = library.analyze(question);
  const retriever = new Retriever({ chunks: library.chunks, lexical: library.lexical, vectors: null, embedder: null });
  const ranked = await retriever.retrieve(query, 10);
  return composeAnswer({ question, query, ranked, article: library.article, lexical: library.lexical, retrieval: 'lexical', options });
}

/** The sentence of an article's text that starts with `opening`, whole. */
function sentence(text: string, opening: string): string {
  const start = text.indexOf(opening);
  const end = text.slice(start).search(/\.(\s|$)/);
  return text.slice(start, start + end + 1);
}

describe('composeAnswer: the quote', () => {
  const library = passageLibrary([REMAINS, ...OTHERS]);
  const article = library.article('hai-cot')!;

  it('quotes the sentence that holds the answer, not its neighbours, verbatim and with its citation', async () => {
    const answer = await ask(library, 'Việt Nam trao trả bao nhiêu hòm hài cốt cho Mỹ?');
    expect(answer.answered).toBe(true);
    const [top] = answer.results;
    expect(top.quote).toBe(sentence(article.text, 'Việt Nam đã trao trả'));
    expect(article.text.slice(top.quoteStart, top.quoteEnd)).toBe(top.quote);
    expect(top.article).toEqual(citationOf(article));
    // The amount asked for is what the quote marks.
    expect(top.highlights!.map(([a, b]) => top.quote.slice(a, b)).join(' ')).toContain('12');
  });

  it('between two sentences that repeat the question, quotes the one with the amount asked for', () => {
    const lib = passageLibrary([
      {
        id: 'ca-phe-2',
        title: 'Thị trường nông sản',
        body:
          'Giá cà phê Robusta ở Đắk Lắk tăng mạnh trong tuần. ' +
          'Thương lái ở các huyện phía tây mua vào đều đặn. ' +
          'Giá cà phê Robusta ở Đắk Lắk lên 132.000 đồng mỗi kilôgam.',
      },
      ...OTHERS.filter((a) => a.id !== 'ca-phe'),
    ]);
    const text = lib.article('ca-phe-2')!.text;
    const query = lib.analyze('Giá cà phê Robusta ở Đắk Lắk bao nhiêu?');
    expect(query.answerType).toBe('quantity');
    const prepared = lib.lexical.prepareCoverage(query.terms, true);
    const chunk = lib.chunkOf('ca-phe-2');
    const pick = (type: typeof query.answerType) => {
      return quoteText(lib.article('ca-phe-2')!, selectQuote(lib.article('ca-phe-2')!, chunk.sentences, prepared, lib.lexical, type));
    };
    expect(pick('quantity')).toBe(sentence(text, 'Giá cà phê Robusta ở Đắk Lắk lên'));
    // Without knowing what is asked for, the first of two equal sentences is quoted, and the other
    // one with it, as it holds the question as well: the user sees both.
    expect(pick(null)).toBe(
      `${sentence(text, 'Giá cà phê Robusta ở Đắk Lắk tăng')} ${sentence(text, 'Thương lái')} ${sentence(text, 'Giá cà phê Robusta ở Đắk Lắk lên')}`,
    );
  });

  it('quotes the sentence before one that leans on it ("Ông cho biết…")', async () => {
    const lib = passageLibrary([
      {
        id: 'dai-su',
        title: 'Đại sứ Mỹ thăm Huế',
        body:
          'Đại sứ Marc Knapper đến Huế hôm thứ Hai. ' +
          'Ông cho biết Mỹ sẽ tài trợ thêm cho dự án tẩy độc dioxin ở sân bay Biên Hòa. ' +
          'Chuyến thăm kéo dài hai ngày.',
      },
      ...OTHERS,
    ]);
    const answer = await ask(lib, 'Mỹ tài trợ dự án tẩy độc dioxin ở sân bay Biên Hòa');
    expect(answer.results[0].quote).toBe(
      'Đại sứ Marc Knapper đến Huế hôm thứ Hai. Ông cho biết Mỹ sẽ tài trợ thêm cho dự án tẩy độc dioxin ở sân bay Biên Hòa.',
    );
  });

  /** What `selectQuote` picks in a one-passage article for a question, with that article as indexed. */
  function selectFor(article: TestArticle, question: string) {
    const lib = passageLibrary([article, ...OTHERS]);
    const query = lib.analyze(question);
    const prepared = lib.lexical.prepareCoverage(query.terms, true);
    const indexed = lib.article(article.id)!;
    return { indexed, spans: selectQuote(indexed, lib.chunkOf(article.id).sentences, prepared, lib.lexical, query.answerType ?? null) };
  }

  /** The quote `selectQuote` cuts from a one-passage article for a question. */
  function quoteFor(article: TestArticle, question: string): string {
    const { indexed, spans } = selectFor(article, question);
    return quoteText(indexed, spans);
  }

  /** The part of that quote chosen around its best sentence (before a runner-up is added). */
  function coreQuoteFor(article: TestArticle, question: string): string {
    const { indexed, spans } = selectFor(article, question);
    return indexed.text.slice(spans.core.start, spans.core.end);
  }

  it('for "how many", quotes the sentence with the number, also written in words, among several that repeat the question', () => {
    const quote = quoteFor(
      {
        id: 'mekong',
        title: 'Lưu vực sông Mê Kông',
        body:
          'Lưu vực sông Mê Kông rộng lớn và đông dân. ' +
          'Các quốc gia trong lưu vực sông Mê Kông cùng khai thác nguồn nước. ' +
          'Mùa khô kéo dài nhiều tháng. ' +
          'Lưu vực sông Mê Kông trải qua sáu quốc gia.',
      },
      'Có bao nhiêu quốc gia trong lưu vực sông Mê Kông?',
    );
    expect(quote).toBe('Lưu vực sông Mê Kông trải qua sáu quốc gia.');
  });

  it('quotes a second excerpt, after " … ", when another sentence of the passage holds the question nearly as well', async () => {
    const lib = passageLibrary([
      {
        id: 'cang-bien',
        title: 'Cảng biển miền Trung',
        body:
          'Cảng Chân Mây ở Thừa Thiên Huế đón tàu du lịch quốc tế lớn từ năm 2010 với nhiều du khách châu Âu. ' +
          'Mùa mưa bão kéo dài từ tháng 9 đến tháng 12. ' +
          'Nhiều hãng lữ hành mở thêm tuyến mới. ' +
          'Tàu du lịch quốc tế cập cảng Chân Mây đông nhất vào mùa xuân hằng năm.',
      },
      ...OTHERS,
    ]);
    const answer = await ask(lib, 'Cảng Chân Mây đón tàu du lịch quốc tế ra sao?');
    const top = answer.results[0];
    expect(top.excerpts).toEqual([
      'Cảng Chân Mây ở Thừa Thiên Huế đón tàu du lịch quốc tế lớn từ năm 2010 với nhiều du khách châu Âu.',
      'Tàu du lịch quốc tế cập cảng Chân Mây đông nhất vào mùa xuân hằng năm.',
    ]);
    expect(top.quote).toBe(top.excerpts!.join(' … '));
    expect(top.quote).not.toContain('Mùa mưa bão');
    const text = lib.article('cang-bien')!.text;
    for (const excerpt of top.excerpts!) expect(text).toContain(excerpt);
    expect(text.slice(top.quoteStart, top.quoteEnd).startsWith(top.excerpts![0])).toBe(true);
    expect(text.slice(top.quoteStart, top.quoteEnd).endsWith(top.excerpts![1])).toBe(true);
    // A few keywords (a digest topic) match many sentences alike: they get one excerpt.
    const keywords = (await ask(lib, 'cảng Chân Mây tàu du lịch quốc tế')).results[0];
    expect(keywords.excerpts).toBeUndefined();
  });

  it('quotes one excerpt when no other sentence comes close to the best one', async () => {
    const lib = passageLibrary([
      {
        id: 'cang-bien-2',
        title: 'Cảng biển miền Trung',
        body:
          'Cảng Chân Mây đón tàu du lịch quốc tế từ năm 2010. ' +
          'Mùa mưa bão kéo dài từ tháng 9 đến tháng 12. ' +
          'Nhiều hãng lữ hành mở thêm tuyến mới. ' +
          'Cảng Chân Mây có cầu cảng dài nhất miền Trung.',
      },
      ...OTHERS,
    ]);
    const top = (await ask(lib, 'Tàu du lịch quốc tế cập cảng Chân Mây từ năm nào?')).results[0];
    expect(top.excerpts).toBeUndefined();
    expect(top.quote).toBe('Cảng Chân Mây đón tàu du lịch quốc tế từ năm 2010.');
  });

  it('weighs down the words every sentence repeats (the passage topic), so the sentence with the asked-for detail is quoted', () => {
    // The part chosen around the best sentence: the passage's other sentences, which hold the whole
    // topic, may follow it as a runner-up.
    const quote = coreQuoteFor(
      {
        id: 'san-chung-khoan',
        title: 'Sở giao dịch chứng khoán Hà Nội',
        body:
          'Sở giao dịch chứng khoán Hà Nội có trụ sở ở quận Hoàn Kiếm, Hà Nội. ' +
          'Sở giao dịch chứng khoán Hà Nội niêm yết hàng trăm công ty. ' +
          'Sàn này tạm ngừng giao dịch vì lỗi hệ thống máy chủ. ' +
          'Sở giao dịch chứng khoán Hà Nội dự kiến chuyển trụ sở.',
      },
      'Vì sao Sở giao dịch chứng khoán Hà Nội tạm ngừng giao dịch?',
    );
    expect(quote).toContain('tạm ngừng giao dịch vì lỗi hệ thống máy chủ');
    expect(quote).not.toContain('Hoàn Kiếm');
  });

  it('quotes the next sentence too when it continues the best one ("Ngày nay, điều này được gọi là…")', () => {
    const quote = quoteFor(
      {
        id: 'mau-xanh',
        title: 'Màu của bầu trời',
        body:
          'Trời có màu xanh vì không khí tán xạ ánh sáng xanh mạnh hơn ánh sáng đỏ. ' +
          'Ngày nay, điều này được gọi là tán xạ Rayleigh. ' +
          'Lúc hoàng hôn, bầu trời ngả sang màu đỏ.',
      },
      'Việc không khí tán xạ ánh sáng xanh mạnh hơn được gọi là gì?',
    );
    expect(quote).toContain('tán xạ Rayleigh');
    expect(quote).not.toContain('hoàng hôn');
  });

  it('quotes the sentence before when the best one names something of it ("các thiết bị này")', () => {
    const quote = quoteFor(
      {
        id: 'buong-oxy',
        title: 'Điều trị bằng oxy cao áp',
        body:
          'Bệnh viện vừa lắp đặt hai buồng oxy cao áp hiện đại. ' +
          'Ngộ độc khí CO và bệnh giảm áp được điều trị bằng các thiết bị này. ' +
          'Mỗi đợt điều trị kéo dài khoảng hai giờ.',
      },
      'Thiết bị nào dùng để điều trị ngộ độc khí CO và bệnh giảm áp?',
    );
    expect(quote).toBe('Bệnh viện vừa lắp đặt hai buồng oxy cao áp hiện đại. Ngộ độc khí CO và bệnh giảm áp được điều trị bằng các thiết bị này.');
  });

  it('counts for a sentence opened by a pronoun ("Nó…") the words of the one before, and quotes both', () => {
    // The part chosen around the best sentence (the last one, with its year, may follow as a runner-up).
    const quote = coreQuoteFor(
      {
        id: 'nha-hat',
        title: 'Nhà hát thành phố',
        body:
          'Nhà hát Lớn Hải Phòng là công trình kiến trúc nổi tiếng của thành phố cảng. ' +
          'Nó được đưa vào hoạt động trở lại vào tháng 9 năm 2019 sau hai năm trùng tu. ' +
          'Các đoàn nghệ thuật thường biểu diễn ở đây vào cuối tuần. ' +
          'Nhà hát Lớn Hải Phòng có khoảng 400 chỗ ngồi từ năm 2001.',
      },
      'Nhà hát Lớn Hải Phòng mở cửa lại khi nào?',
    );
    expect(quote).toBe(
      'Nhà hát Lớn Hải Phòng là công trình kiến trúc nổi tiếng của thành phố cảng. Nó được đưa vào hoạt động trở lại vào tháng 9 năm 2019 sau hai năm trùng tu.',
    );
  });

  it('does not open a quote on a neighbour that leans on the sentence before it ("Nó…"): that one is quoted too', () => {
    const quote = quoteFor(
      {
        id: 'cau-long-bien',
        title: 'Cầu Long Biên',
        body:
          'Cầu Long Biên bắc qua sông Hồng ở Hà Nội. ' +
          'Nó từng là cây cầu dài nhất Đông Dương khi hoàn thành. ' +
          'Công trình dài nhất Đông Dương được hoàn thành vào năm 1902 sau ba năm thi công. ' +
          'Ngày nay xe máy và tàu hỏa vẫn đi trên cầu.',
      },
      'Cây cầu dài nhất Đông Dương được hoàn thành năm nào?',
    );
    expect(quote).toBe(
      'Cầu Long Biên bắc qua sông Hồng ở Hà Nội. Nó từng là cây cầu dài nhất Đông Dương khi hoàn thành. ' +
        'Công trình dài nhất Đông Dương được hoàn thành vào năm 1902 sau ba năm thi công.',
    );
  });

  it('puts no sentence before the answering one when the quote would pass its cap, where the answer would be cut off', () => {
    // A long opening sentence (about 900 characters) that the neighbour "Nó…" leans on.
    const long = `Cầu Long Biên bắc qua sông Hồng ở Hà Nội, ${'nối quận Hoàn Kiếm với quận Long Biên qua bãi giữa sông, '.repeat(16)}và là biểu tượng của thành phố.`;
    const quote = quoteFor(
      {
        id: 'cau-long-bien-dai',
        title: 'Cầu Long Biên',
        body:
          `${long} ` +
          'Nó từng là cây cầu dài nhất Đông Dương khi hoàn thành. ' +
          'Công trình dài nhất Đông Dương được hoàn thành vào năm 1902 sau ba năm thi công. ' +
          'Ngày nay xe máy và tàu hỏa vẫn đi trên cầu.',
      },
      'Cây cầu dài nhất Đông Dương được hoàn thành năm nào?',
    );
    expect(long.length).toBeGreaterThan(900);
    expect(quote).toBe('Công trình dài nhất Đông Dương được hoàn thành vào năm 1902 sau ba năm thi công.');
  });

  it('does not quote the sentence before one that opens with "Sau đó" (then): it only orders events', () => {
    const quote = quoteFor(
      {
        id: 'doi-tuyen',
        title: 'Đội tuyển bóng chuyền nữ',
        body:
          'Các vận động viên rời Hà Nội vào sáng thứ Hai. ' +
          'Sau đó, đội tuyển giành chức vô địch giải Đông Nam Á ở Bangkok. ' +
          'Huấn luyện viên khen tinh thần của các cầu thủ.',
      },
      'Đội tuyển bóng chuyền nữ giành chức vô địch ở đâu?',
    );
    expect(quote).toBe('Sau đó, đội tuyển giành chức vô địch giải Đông Nam Á ở Bangkok.');
  });

  it('when the best sentence only restates the question, quotes the one after it as well', () => {
    const quote = quoteFor(
      {
        id: 'do-phuc-tap',
        title: 'Các lớp độ phức tạp',
        body:
          'Nhiều lớp độ phức tạp được cho là khác nhau. ' +
          'Ví dụ tiêu biểu là P và NP. ' +
          'Người ta vẫn chưa chứng minh được điều đó.',
      },
      'Hai lớp độ phức tạp nào được cho là khác nhau?',
    );
    expect(quote).toContain('P và NP');
  });

  it('quotes the one after a restating sentence also when that sentence leans on the one before', () => {
    const quote = quoteFor(
      {
        id: 'thu-quan',
        title: 'Thủ quân lớn tuổi nhất',
        body:
          'Peyton Manning dẫn dắt Broncos giành chiến thắng. ' +
          'Anh ấy cũng là thủ quân lớn tuổi nhất từng chơi trong trận chung kết. ' +
          'Kỷ lục trong quá khứ do John Elway nắm giữ. ' +
          'Đội bóng trở về Denver vào ngày hôm sau.',
      },
      'Trước Manning, ai là thủ quân lớn tuổi nhất từng chơi trong trận chung kết?',
    );
    expect(quote).toContain('Anh ấy cũng là thủ quân');
    expect(quote).toContain('John Elway');
  });

  it('quotes a passage once when two articles carry the same text', async () => {
    const lib = passageLibrary([REMAINS, { ...REMAINS, id: 'hai-cot-dang-lai' }, ...OTHERS]);
    const answer = await ask(lib, 'Việt Nam trao trả bao nhiêu hòm hài cốt cho Mỹ?');
    expect(answer.results).toHaveLength(1);
  });
});

describe('composeAnswer: confidence', () => {
  const library = passageLibrary([REMAINS, ...OTHERS]);

  it('answers a question the passage answers, with confidence above the bar', async () => {
    const answer = await ask(library, 'Việt Nam trao trả bao nhiêu hòm hài cốt cho Mỹ?');
    expect(answer.results[0].score).toBeGreaterThan(0.6);
    expect(answer.results.every((r) => r.score >= minConfidence)).toBe(true);
  });

  it('refuses a question the passages only share a word or two with', async () => {
    const question = 'Việt Nam xuất khẩu bao nhiêu tấn gạo sang Philippines?';
    const query = library.analyze(question);
    const ranked = await new Retriever({ chunks: library.chunks, lexical: library.lexical, vectors: null, embedder: null }).retrieve(query, 10);
    // Something is retrieved ("Việt Nam")…
    expect(ranked.map((r) => r.chunk.articleId)).toContain('hai-cot');
    // …but it is not confident enough to quote.
    const answer = await ask(library, question);
    expect(answer.answered).toBe(false);
    expect(answer.results).toEqual([]);
  });

  it('rates the answering passage far above an unrelated one for the same question', () => {
    const query = library.analyze('Việt Nam trao trả bao nhiêu hòm hài cốt cho Mỹ?');
    const prepared = library.lexical.prepareCoverage(query.terms, true, query.units);
    const confidence = (articleId: string) => {
      const chunk = library.chunkOf(articleId);
      const article = library.article(articleId)!;
      const { core } = selectQuote(article, chunk.sentences, prepared, library.lexical);
      const ranked = { chunk, doc: library.chunks.indexOf(chunk), score: 1, lexicalScore: 1, denseScore: null };
      return confidenceOf(ranked, `${article.title}\n${chunk.text}`, article.text.slice(core.start, core.end), prepared, library.lexical, OPTIONS);
    };
    expect(confidence('hai-cot')).toBeGreaterThan(0.6);
    expect(confidence('rong')).toBeLessThan(minConfidence);
  });

  it('lets the dense similarity vouch for a passage that shares few words, between its floor and ceiling', () => {
    const query = library.analyze('Việt Nam xuất khẩu bao nhiêu tấn gạo sang Philippines?');
    const prepared = library.lexical.prepareCoverage(query.terms, true, query.units);
    const chunk = library.chunkOf('hai-cot');
    const passage = `${REMAINS.title}\n${chunk.text}`;
    const at = (denseScore: number | null) =>
      confidenceOf({ chunk, doc: 0, score: 1, lexicalScore: 1, denseScore }, passage, chunk.text, prepared, library.lexical, OPTIONS);
    expect(at(null)).toBeLessThan(minConfidence);
    expect(at(0.5)).toBe(at(null));
    expect(at(0.87)).toBeCloseTo(0.5, 5);
    expect(at(0.95)).toBe(1);
  });
});

describe('englishBar: a translated question whose retrieval is torn between articles', () => {
  const library = passageLibrary([REMAINS, ...OTHERS]);
  const ranked = (...entries: [articleId: string, score: number][]) =>
    entries.map(([articleId, score]) => ({ chunk: library.chunkOf(articleId), doc: 0, score, lexicalScore: score, denseScore: null }));

  it('needs more confidence when another article ranks nearly as high as the top one', () => {
    expect(englishBar(ranked(['hai-cot', 1], ['rong', 0.9]), minConfidenceEnglish)).toBeGreaterThan(minConfidenceEnglish);
  });

  it('keeps the usual bar when the top article stands out, or the runner-up is the same article', () => {
    expect(englishBar(ranked(['hai-cot', 1], ['rong', 0.5]), minConfidenceEnglish)).toBe(minConfidenceEnglish);
    expect(englishBar(ranked(['hai-cot', 1], ['hai-cot', 0.95], ['rong', 0.4]), minConfidenceEnglish)).toBe(minConfidenceEnglish);
    expect(englishBar(ranked(['hai-cot', 1]), minConfidenceEnglish)).toBe(minConfidenceEnglish);
  });
});
