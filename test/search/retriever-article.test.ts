import { describe, expect, it } from 'vitest';
import { Retriever } from '../../src/search/retriever.ts';
import { passageLibrary } from '../helpers/passages.ts';

const FILLER_BODIES = [
  'Tuyến tàu điện số 1 chở hơn một triệu lượt khách trong tháng đầu vận hành.',
  'Mưa lớn khiến nhiều tuyến đường ở Quảng Ngãi bị ngập sâu.',
  'Cá voi xanh là loài động vật lớn nhất từng sống trên Trái Đất.',
  'Đội tuyển giành chiến thắng hai bàn không gỡ trong trận giao hữu tối qua.',
];

describe("Retriever: the re-ranking weighs a question's words within the passage's article", () => {
  it("counts the article's topic, named in each of its passages, less than the word only the answering passage holds", async () => {
    // Four passages of one article (one sentence each): three name the topic, the fourth answers without naming it.
    const library = passageLibrary(
      [
        {
          id: 'sua',
          title: 'Sinh vật biển',
          body:
            'Sứa lược sống ở mọi vùng biển trên thế giới. Sứa lược ăn sinh vật phù du và ấu trùng cá. ' +
            'Sứa lược bơi bằng các tấm lược có lông mao. Loài lớn nhất dài tới 1,5 mét.',
        },
        // Other articles, so that the topic is rare in the corpus as in a real one.
        ...Array.from({ length: 24 }, (_, i) => ({ id: `tin-${i}`, title: `Tin ${i}`, body: FILLER_BODIES[i % 4] })),
      ],
      50,
    );
    expect(library.chunks.filter((c) => c.articleId === 'sua')).toHaveLength(4);
    const query = library.analyze('Sứa lược dài bao nhiêu?');
    const sources = { chunks: library.chunks, lexical: library.lexical, vectors: null, embedder: null };
    const lead = async (retriever: Retriever) => {
      const ranked = await retriever.retrieve(query, 4);
      const answering = ranked.find((r) => r.chunk.text.includes('1,5 mét'))!;
      const topic = Math.max(...ranked.filter((r) => r !== answering).map((r) => r.score));
      return { first: ranked[0].chunk.text, lead: answering.score - topic };
    };
    const corpusWeights = await lead(new Retriever(sources, { articleTopicShare: 0 }));
    const withinArticle = await lead(new Retriever(sources));
    expect(withinArticle.first).toContain('1,5 mét');
    expect(withinArticle.lead).toBeGreaterThan(corpusWeights.lead + 0.05);
  });
});
