import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeHtml, extractArticle, fetchArticle, normalizeArticleUrl, pageLocalDate } from '../../src/ingest/extract.ts';
import { type FetchPolicy, IngestError } from '../../src/ingest/types.ts';
import { startWebServer, type WebServer } from '../helpers/web-server.ts';

const POLICY: FetchPolicy = { timeoutMs: 2000, maxBytes: 5_000_000, maxRedirects: 5, allowPrivate: true, userAgent: 'trichdan-test/1' };
const fixture = (name: string) => readFileSync(join(import.meta.dirname, '..', 'fixtures', 'web', name));

let server: WebServer;
beforeAll(async () => {
  server = await startWebServer();
});
afterAll(() => server.close());

async function failure(promise: Promise<unknown>): Promise<IngestError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IngestError);
  return error as IngestError;
}

/** Page furniture that must never reach the body. */
function expectNone(text: string, furniture: string[]) {
  for (const piece of furniture) expect(text, `"${piece}" leaked into the body`).not.toContain(piece);
}

describe('fetchArticle on news pages', () => {
  it('VnExpress (JSON-LD + Open Graph): metadata, lead, sub-heading and body; no menu, caption, related list or comments', async () => {
    const a = await fetchArticle(server.url('/fixtures/vnexpress-dien-tap-cuu-ho.html'), POLICY);
    expect(a).toMatchObject({
      title: 'Việt Nam, Philippines lần đầu diễn tập cứu hộ chung trên biển',
      date: '2025-11-12',
      source: 'VnExpress',
      canonicalUrl: 'https://vnexpress.net/viet-nam-philippines-lan-dau-dien-tap-cuu-ho-chung-tren-bien-4981234.html',
      requestedUrl: server.url('/fixtures/vnexpress-dien-tap-cuu-ho.html'),
      finalUrl: server.url('/fixtures/vnexpress-dien-tap-cuu-ho.html'),
    });
    const paragraphs = a.text.split('\n\n');
    expect(paragraphs[0]).toBe('Hai tàu cảnh sát biển của Việt Nam và Philippines phối hợp cứu 23 thuyền viên giả định gặp nạn ở vùng biển cách đảo Phú Quý khoảng 40 hải lý, sáng 12/11.');
    expect(paragraphs).toContain('Mở rộng sang ứng phó sự cố tràn dầu');
    expect(a.text).toContain('Đây là lần đầu tiên hai lực lượng tổ chức một cuộc diễn tập tìm kiếm cứu nạn chung trên biển kể từ khi ký bản ghi nhớ hợp tác năm 2023.');
    expect(a.text).toContain('"Ở biển, mỗi phút chậm trễ đều phải trả giá bằng sinh mạng, nên quy trình phối hợp phải được luyện đến mức thuần thục", ông nói.');
    expect(a.text).toContain('Tài liệu sẽ được in song ngữ, phát miễn phí tại các cảng cá ở Bình Thuận, Ninh Thuận và tỉnh Palawan.');
    expectNone(a.text, [
      'Trang chủ', 'Góc nhìn', 'Quân sự', 'Thứ tư, 12/11/2025', 'Chia sẻ', 'Sao chép liên kết', 'Ảnh: Quang Huy', 'trong buổi diễn tập sáng 12/11',
      'Tin liên quan', 'Tàu tuần duyên Nhật Bản', 'Ý kiến', 'Rất tự hào', 'Xem nhiều', 'Xe tăng T-90S', 'Tags', 'Phạm Hiếu', 'bản quyền',
    ]);
    expect(a.text).toBe(a.text.normalize('NFC'));
    expect(a.text).not.toMatch(/\n{3}| {2}/u);
  });

  it('Tuổi Trẻ (Open Graph only, fetched with tracking parameters): canonical cleaned, UTC date moved to +07:00, lead kept, captions dropped', async () => {
    const fetched = server.url('/fixtures/tuoitre-tau-huan-luyen-indonesia.html?utm_source=facebook&utm_medium=social&fbclid=IwAR0xYz');
    const a = await fetchArticle(fetched, POLICY);
    expect(a).toMatchObject({
      title: 'Tàu huấn luyện Hải quân Indonesia cập cảng Nhà Rồng',
      date: '2025-11-14', // published 2025-11-13T18:40:00Z = 01:40 on the 14th in Vietnam
      source: 'Tuổi Trẻ', // the known name for tuoitre.vn, not og:site_name "TUOI TRE ONLINE"
      canonicalUrl: 'https://tuoitre.vn/tau-huan-luyen-hai-quan-indonesia-cap-cang-nha-rong-20251114014012345.htm',
      finalUrl: fetched,
    });
    expect(a.text.startsWith('TTO - Sáng 14-11, tàu huấn luyện KRI Bima Suci chở 160 học viên sĩ quan Hải quân Indonesia cập cảng Nhà Rồng')).toBe(true);
    expect(a.text).toContain('KRI Bima Suci là tàu buồm ba cột dài 111 m, được Hải quân Indonesia đưa vào biên chế từ năm 2017 để huấn luyện học viên năm cuối.');
    expect(a.text).toContain('Việt Nam và Indonesia nâng quan hệ lên Đối tác chiến lược toàn diện năm 2025.');
    expectNone(a.text, [
      'neo đậu tại cảng Nhà Rồng sáng 14-11', 'Ảnh: TẤN LỰC', 'Tin liên quan', 'Tàu Hải quân Việt Nam thăm cảng Jakarta', 'Bình luận',
      'Cảng Nhà Rồng hôm nay đông vui', 'Đọc tiếp', 'Lễ kỷ niệm ngày thành lập', 'Nhịp sống trẻ', 'Sao chép link', 'GMT+7', 'Thành Đoàn',
    ]);
  });

  it('Tiền Phong (JSON-LD in @graph beside broken JSON-LD): inline related box, table caption and share bar dropped', async () => {
    const a = await fetchArticle(server.url('/fixtures/tienphong-ra-pha-bom-min.html'), POLICY);
    expect(a).toMatchObject({
      title: 'Rà phá 1.200 ha đất nhiễm bom mìn ở Quảng Trị trước mùa mưa',
      date: '2025-11-15',
      source: 'Tiền Phong',
      canonicalUrl: 'https://tienphong.vn/ra-pha-1200-ha-dat-nhiem-bom-min-o-quang-tri-truoc-mua-mua-post1790123.tpo',
    });
    expect(a.text).toContain('TPO - Trung tâm Hành động bom mìn quốc gia cho biết trong 10 tháng năm 2025 đã rà phá 1.200 ha đất nhiễm bom mìn');
    expect(a.text).toContain('giúp tốc độ rà phá trên mỗi ha giảm từ 18 ngày xuống còn 11 ngày.');
    expect(a.text).toContain('Từ đầu năm, địa phương không ghi nhận tai nạn bom mìn nào gây thương vong.');
    expectNone(a.text, [
      'Công binh dùng máy dò kiểm tra từng mét đất', 'Ảnh: Hoàng Nam', 'Tin liên quan', 'Quảng Trị tiếp nhận máy dò', 'In bài viết', 'Facebook',
      'Bình luận', 'Cảm ơn những người lính', 'Đọc nhiều', 'Giá vàng', 'Hoa hậu', 'Phùng Công Sưởng',
    ]);
  });

  it('Quân đội nhân dân (windows-1258, no og:title, date from meta pubdate): decoded to NFC, site suffix cut from <title>', async () => {
    const a = await fetchArticle(server.url('/fixtures/qdnd-nha-tinh-nghia-ha-giang.html'), POLICY);
    expect(a).toMatchObject({
      title: 'Bàn giao nhà tình nghĩa cho 30 gia đình chính sách ở biên giới Hà Giang',
      date: '2025-11-16',
      source: 'Quân đội nhân dân',
      canonicalUrl: server.url('/fixtures/qdnd-nha-tinh-nghia-ha-giang.html'), // no canonical: the page's own URL
    });
    expect(a.text).toBe(a.text.normalize('NFC'));
    expect(a.text).toContain('QĐND Online - Ngày 16-11, Bộ Chỉ huy Bộ đội Biên phòng tỉnh Hà Giang tổ chức bàn giao 30 căn nhà tình nghĩa');
    expect(a.text).toContain('"Từ nay mùa đông các cháu không còn phải chịu rét nữa", bà nói.');
    expectNone(a.text, ['Tin cùng chuyên mục', 'Tặng quà học sinh nghèo', 'Ý kiến bạn đọc', 'Nhập ý kiến', 'Chia sẻ', 'Quốc phòng - An ninh', 'Phan Đình Phùng']);
  });

  it('Báo Chính phủ with broken HTML (unclosed p, b, figure, div; stray closing tags) still yields every paragraph', async () => {
    const a = await fetchArticle(server.url('/fixtures/baochinhphu-broken-html.html'), POLICY);
    expect(a).toMatchObject({
      title: 'Việt Nam cử thêm bệnh viện dã chiến cấp 2 tham gia gìn giữ hòa bình tại Nam Sudan',
      date: '2025-11-17',
      source: 'Chinhphu.vn',
      canonicalUrl: 'https://baochinhphu.vn/viet-nam-cu-them-benh-vien-da-chien-cap-2-102251117152000123.htm',
    });
    const paragraphs = a.text.split('\n\n');
    expect(paragraphs).toHaveLength(5);
    expect(paragraphs[0]).toMatch(/^\(Chinhphu\.vn\) - Chiều 17\/11, tại Hà Nội/u);
    expect(paragraphs[4]).toBe('Dự kiến lực lượng sẽ lên đường trong tháng 12, mang theo 120 tấn trang thiết bị y tế và vật tư. Việt Nam hiện có gần 1.000 lượt quân nhân đã tham gia các phái bộ gìn giữ hòa bình kể từ năm 2014.');
    expectNone(a.text, ['trao quyết định cho Giám đốc bệnh viện', 'VGP/Hải Minh', 'Bài liên quan', 'Đội Công binh số 3', 'In bài viết', 'Chính sách mới']);
  });

  it('a category listing has no article', async () => {
    const error = await failure(fetchArticle(server.url('/fixtures/vnexpress-category-quan-su.html'), POLICY));
    expect(error).toMatchObject({ kind: 'no_article', message: 'no article text found on the page' });
  });

  it.each([
    ['/pdf', 'application/pdf'],
    ['/png', 'image/png'],
  ])('refuses %s as not HTML, naming the type', async (path, type) => {
    const error = await failure(fetchArticle(server.url(path), POLICY));
    expect(error).toMatchObject({ kind: 'not_html', message: `the address gives ${type}, not a web page (HTML)` });
  });

  it('passes fetch failures through', async () => {
    expect((await failure(fetchArticle(server.url('/status/404'), POLICY))).kind).toBe('http_status');
    expect((await failure(fetchArticle('file:///etc/passwd', POLICY))).kind).toBe('bad_url');
  });

  it('decodes by the HTTP charset before the page declaration', async () => {
    const page = fixture('qdnd-nha-tinh-nghia-ha-giang.html').toString('latin1').replace('charset=windows-1258', 'charset=utf-8');
    server.set('/cp1258-by-header', { headers: { 'content-type': 'text/html; charset=windows-1258' }, body: Buffer.from(page, 'latin1') });
    const a = await fetchArticle(server.url('/cp1258-by-header'), POLICY);
    expect(a.title).toBe('Bàn giao nhà tình nghĩa cho 30 gia đình chính sách ở biên giới Hà Giang');
  });
});

describe('extractArticle', () => {
  const page = (head: string, body = '') => `<html><head>${head}</head><body><article>${body}${'<p>Đoàn công tác đã làm việc với chính quyền địa phương về kế hoạch năm tới. Hai bên thống nhất nhiều nội dung hợp tác cụ thể.</p>'.repeat(3)}</article></body></html>`;

  it('prefers the JSON-LD headline and date over Open Graph', () => {
    const a = extractArticle(
      page(`<meta property="og:title" content="Tiêu đề OG"><meta property="article:published_time" content="2025-01-01T10:00:00+07:00">
        <script type="application/ld+json">{"@type":"NewsArticle","headline":"Tiêu đề JSON-LD","datePublished":"2025-02-03T23:30:00+07:00","publisher":{"name":"Báo Mẫu"}}</script>`),
      'https://bao-mau.vn/a.html',
    );
    expect(a).toMatchObject({ title: 'Tiêu đề JSON-LD', date: '2025-02-03', source: 'Báo Mẫu', canonicalUrl: 'https://bao-mau.vn/a.html' });
  });

  it('falls back to the host as source and a relative canonical resolved against the page', () => {
    const a = extractArticle(page('<title>Tin mới | Bao Mau</title><link rel="canonical" href="/tin-moi.html?utm_campaign=x#top">'), 'https://www.bao-mau.vn/x?id=1');
    expect(a).toMatchObject({ title: 'Tin mới', source: 'bao-mau.vn', canonicalUrl: 'https://www.bao-mau.vn/tin-moi.html', date: null });
  });

  it('keeps a title suffix that is not the site name', () => {
    const a = extractArticle(page('<meta property="og:site_name" content="VnExpress"><title>Hà Nội - Hải Phòng</title>'), 'https://vnexpress.net/a.html');
    expect(a.title).toBe('Hà Nội - Hải Phòng');
  });

  it('finds no article in a listing whose teaser summary is a "sapo"', () => {
    const teaser = '<p class="box-category-sapo">Lễ kỷ niệm được tổ chức tại Vũng Tàu với nhiều hoạt động ý nghĩa. Hàng nghìn người dân đã đến dự, cùng nhiều đoàn khách quốc tế và cựu chiến binh.</p>';
    const listing = `<html><body>${`<div class="box-category-item"><a href="/a.htm">Lễ kỷ niệm ngày thành lập Vùng 2 Hải quân</a>${teaser}</div>`}<footer>© Báo Mẫu</footer></body></html>`;
    expect(() => extractArticle(listing, 'https://bao-mau.vn/thoi-su.htm')).toThrow(/no article text/);
  });

  it('leaves a reader comment box out of a short article', () => {
    const comments = `<div id="box_comment"><h3>Ý kiến (4)</h3>${'<div class="comment_item"><p>Bạn đọc Minh Anh: Tin vui cho bà con vùng biên giới, mong các địa phương khác cũng làm như vậy để giúp dân.</p></div>'.repeat(4)}</div>`;
    const a = extractArticle(`<html><body><article>${'<p>Đoàn công tác đã làm việc với chính quyền địa phương về kế hoạch năm tới. Hai bên thống nhất nhiều nội dung hợp tác cụ thể.</p>'.repeat(2)}</article>${comments}</body></html>`, 'https://bao-mau.vn/a.html');
    expect(a.text).toContain('Đoàn công tác');
    expect(a.text).not.toMatch(/Ý kiến|Bạn đọc/);
  });

  it('refuses a page whose text is too short', () => {
    expect(() => extractArticle('<html><body><p>Trang đang bảo trì.</p></body></html>', 'https://a.vn/')).toThrow(IngestError);
  });
});

describe('pageLocalDate', () => {
  it.each([
    ['2025-11-02T23:30:00+07:00', '2025-11-02'],
    ['2025-11-02T23:30:00+0700', '2025-11-02'],
    ['2025-11-02T17:30:00Z', '2025-11-03'],
    ['2025-11-02T16:59:59.000Z', '2025-11-02'],
    ['2025-12-31T20:00:00Z', '2026-01-01'],
    ['2025-11-02 09:00:00', '2025-11-02'],
    ['2025-11-02', '2025-11-02'],
    ['2025/11/02', '2025-11-02'],
    ['02/11/2025 23:30', '2025-11-02'],
    ['2025-02-30T10:00:00Z', null],
    ['hôm qua', null],
  ])('%s → %s', (input, expected) => {
    expect(pageLocalDate(input)).toBe(expected);
  });
});

describe('normalizeArticleUrl', () => {
  it('drops the fragment and tracking parameters, keeps the others', () => {
    expect(normalizeArticleUrl('https://a.vn/b.html?id=7&utm_source=rss&UTM_Medium=x&fbclid=1&gclid=2#c')).toBe('https://a.vn/b.html?id=7');
    expect(normalizeArticleUrl('https://a.vn/b.html?utm_source=rss')).toBe('https://a.vn/b.html');
  });
  it('resolves against a base and refuses other schemes', () => {
    expect(normalizeArticleUrl('/c.html', 'https://a.vn/b/')).toBe('https://a.vn/c.html');
    expect(normalizeArticleUrl('javascript:void(0)', 'https://a.vn/')).toBeNull();
  });
});

describe('decodeHtml', () => {
  it('reads <meta charset>, falls back to UTF-8 for unknown or missing labels', () => {
    const cp1258 = fixture('qdnd-nha-tinh-nghia-ha-giang.html');
    expect(decodeHtml(cp1258, null).normalize('NFC')).toContain('Bàn giao nhà tình nghĩa');
    expect(decodeHtml(Buffer.from('<p>Việt Nam</p>'), 'x-unknown')).toBe('<p>Việt Nam</p>');
    expect(decodeHtml(Buffer.from('<meta charset="utf-8"><p>Đà Nẵng</p>'), null)).toContain('Đà Nẵng');
  });
});
