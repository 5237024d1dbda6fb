import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeFeed, parseFeed } from '../../src/ingest/feed-parse.ts';
import { IngestError } from '../../src/ingest/types.ts';
import { rssFeed } from './helpers/feed-server.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/feeds/${name}`, import.meta.url), 'utf8');
const VNEXPRESS = 'https://vnexpress.net/rss/thoi-su.rss';
const BAOCHINHPHU = 'https://baochinhphu.vn/rss/thoi-su.atom';

const parseError = (xml: string, url = 'https://example.vn/rss') => {
  try {
    parseFeed(xml, url);
  } catch (err) {
    return err as IngestError;
  }
  throw new Error('expected parseFeed to throw');
};

describe('parseFeed: RSS 2.0 (VnExpress)', () => {
  const feed = parseFeed(fixture('vnexpress-thoi-su.rss'), VNEXPRESS);

  it('reads the channel title and every item with an http(s) link, newest first', () => {
    expect(feed.title).toBe('Thời sự - VnExpress RSS');
    expect(feed.items.map((i) => i.published)).toEqual([
      '2025-12-01T02:05:00.000Z', // 09:05 +0700, listed second in the file
      '2025-12-01T01:30:00.000Z',
      '2025-12-01T00:45:00.000Z',
      '2025-11-30T09:20:00.000Z',
      '2025-11-29T04:02:00.000Z',
    ]);
    expect(feed.items.some((i) => i.url.startsWith('mailto:'))).toBe(false); // the mailto item is left out
  });

  it('keys items by guid, else by link', () => {
    expect(feed.items.map((i) => i.id)).toEqual([
      'https://vnexpress.net/thu-tuong-yeu-cau-khac-phuc-hau-qua-mua-lu-4971188.html',
      'https://vnexpress.net/ha-noi-khoi-cong-cau-tran-hung-dao-4971201.html',
      'vne-4971150', // isPermaLink="false"
      'https://vnexpress.net/khai-mac-dien-dan-kinh-te-tu-nhan-4970912.html',
      'https://vnexpress.net/quoc-hoi-thong-qua-luat-du-lieu-4970800.html', // no guid: the link
    ]);
  });

  it('makes links absolute and drops tracking parameters; a permalink guid stands in for a missing link', () => {
    expect(feed.items[0].url).toBe('https://vnexpress.net/thu-tuong-yeu-cau-khac-phuc-hau-qua-mua-lu-4971188.html');
    expect(feed.items[2].url).toBe('https://vnexpress.net/gia-xang-giam-300-dong-4971150.html'); // was "/gia-xang-…"
    expect(feed.items[3].url).toBe('https://vnexpress.net/khai-mac-dien-dan-kinh-te-tu-nhan-4970912.html');
  });

  it('decodes entities in titles and keeps Vietnamese text as it is', () => {
    expect(feed.items[2].title).toBe('Giá xăng giảm 300 đồng một lít từ chiều nay & dầu diesel giữ nguyên');
    expect(feed.items[1].title).toBe('Hà Nội khởi công cầu Trần Hưng Đạo bắc qua sông Hồng');
  });
});

describe('parseFeed: Atom (Báo Chính phủ)', () => {
  const feed = parseFeed(fixture('baochinhphu-thoi-su.atom'), BAOCHINHPHU);

  it('takes the alternate link (not rel="edit"), the entry id, and published before updated', () => {
    expect(feed.title).toBe('Báo Điện tử Chính phủ - Thời sự');
    expect(feed.items[0]).toEqual({
      id: 'tag:baochinhphu.vn,2025:102251201093000123',
      url: 'https://baochinhphu.vn/chinh-phu-ban-hanh-nghi-quyet-ve-duong-sat-toc-do-cao-102251201093000123.htm',
      title: 'Chính phủ ban hành Nghị quyết về phát triển đường sắt tốc độ cao trên trục Bắc - Nam',
      published: '2025-12-01T02:30:00.000Z', // <published> 09:30 +07:00, not <updated> 10:05
    });
  });

  it('resolves a relative href against the feed URL and uses updated when there is no published', () => {
    expect(feed.items.map((i) => i.url)).toEqual([
      'https://baochinhphu.vn/chinh-phu-ban-hanh-nghi-quyet-ve-duong-sat-toc-do-cao-102251201093000123.htm',
      'https://tuoitre.vn/ha-noi-thi-diem-vung-phat-thai-thap-20251201080000123.htm',
      'https://baochinhphu.vn/pho-thu-tuong-lam-viec-voi-dong-nai-ve-san-bay-long-thanh-102251130170500456.htm',
    ]);
    expect(feed.items[1].published).toBe('2025-12-01T01:00:00.000Z');
  });

  it('reads an Atom feed with no entries as an empty feed', () => {
    const empty = '<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>Trống</title><id>x</id></feed>\n';
    expect(parseFeed(empty, BAOCHINHPHU).items).toEqual([]);
  });
});

describe('parseFeed: edge cases', () => {
  it('keeps a long numeric guid exactly (no lossy number conversion)', () => {
    const xml = rssFeed([{ guid: '102251201093000123', link: 'https://a.vn/1.html', title: '2025' }]);
    expect(parseFeed(xml, 'https://a.vn/rss').items[0]).toMatchObject({ id: '102251201093000123', title: '2025' });
  });

  it('keeps an item that appears twice once, and tolerates a byte-order mark and leading blank lines', () => {
    const xml = rssFeed([
      { guid: 'a', link: 'https://a.vn/1.html' },
      { guid: 'a', link: 'https://a.vn/1.html' },
    ]);
    expect(parseFeed(`\uFEFF\n\n${xml}`, 'https://a.vn/rss').items).toHaveLength(1);
  });

  it('does not guess month-first slash dates', () => {
    const xml = rssFeed([{ guid: 'a', link: 'https://a.vn/1.html', pubDate: '01/12/2025 08:30' }]);
    expect(parseFeed(xml, 'https://a.vn/rss').items[0].published).toBeNull();
  });

  it('handles a 5,000-item feed quickly', () => {
    const xml = rssFeed(
      Array.from({ length: 5000 }, (_, i) => ({
        guid: `g${i}`,
        link: `https://a.vn/bai-${i}.html`,
        pubDate: new Date(Date.UTC(2025, 0, 1) + i * 60_000).toUTCString(),
      })),
    );
    const started = performance.now();
    const feed = parseFeed(xml, 'https://a.vn/rss');
    expect(performance.now() - started).toBeLessThan(3000);
    expect(feed.items).toHaveLength(5000);
    expect(feed.items[0].id).toBe('g4999');
  });
});

describe('parseFeed: not a feed', () => {
  it('a cut-off document is bad_feed, saying it is not well-formed', () => {
    const err = parseError(fixture('malformed.rss'));
    expect(err).toBeInstanceOf(IngestError);
    expect(err.kind).toBe('bad_feed');
    expect(err.message).toMatch(/https:\/\/example\.vn\/rss is not well-formed XML/);
  });

  it('an HTML page is bad_feed, pointing at the feed address', () => {
    const err = parseError('<!DOCTYPE html>\n<html lang="vi"><head><title>VnExpress</title></head><body><p>Tin tức</p></body></html>');
    expect(err.kind).toBe('bad_feed');
    expect(err.message).toMatch(/web page, not an RSS or Atom feed/);
  });

  it('other XML, plain text and an empty body are bad_feed', () => {
    expect(parseError('<?xml version="1.0"?><sitemap><loc>https://a.vn/</loc></sitemap>').message).toMatch(
      /not an RSS 2\.0 or Atom feed/,
    );
    expect(parseError('Service Unavailable').kind).toBe('bad_feed');
    expect(parseError('').message).toMatch(/empty document/);
  });
});

describe('decodeFeed', () => {
  const latin1Feed = (declared: string) =>
    Buffer.from(`<?xml version="1.0" encoding="${declared}"?><rss><channel><title>Caf\u00e9</title></channel></rss>`, 'latin1');

  it('uses the header charset, else the XML declaration, else UTF-8', () => {
    expect(decodeFeed(latin1Feed('ISO-8859-1'), null)).toContain('<title>Café</title>');
    expect(decodeFeed(latin1Feed('utf-8'), 'iso-8859-1')).toContain('<title>Café</title>');
    expect(decodeFeed(Buffer.from('<rss><channel><title>Thời sự</title></channel></rss>'), null)).toContain('Thời sự');
  });

  it('falls back to UTF-8 for an unknown charset label and drops a byte-order mark', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<rss>Thời sự</rss>')]);
    expect(decodeFeed(bytes, 'x-unknown-charset')).toBe('<rss>Thời sự</rss>');
  });
});
