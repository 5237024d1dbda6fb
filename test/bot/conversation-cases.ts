/**
 * Claims and follow-up pairs of our own on the seed corpus (corpus/*.txt), for the small
 * evaluation in claims-eval.test.ts. None comes from ../shared/eval. `expect` is a piece of the
 * sentence that should be quoted (and the article id prefix), or null when no article says it.
 */

/** A claim to trace to its source. */
export interface ClaimCase {
  claim: string;
  kind: 'verbatim' | 'paraphrase' | 'absent';
  expect: { article: string; text: string } | null;
}

export const CLAIM_CASES: readonly ClaimCase[] = [
  // Close to the article's wording (5).
  { kind: 'verbatim', claim: 'Việt Nam đã trao trả cho Mỹ 994 hòm đựng hài cốt', expect: { article: '002', text: '994 hòm' } },
  { kind: 'verbatim', claim: 'Mỹ công bố khoản hỗ trợ mới trị giá 130 triệu USD cho dự án xử lý ô nhiễm dioxin tại sân bay Biên Hòa', expect: { article: '002', text: 'khoản hỗ trợ mới trị giá 130 triệu USD' } },
  { kind: 'verbatim', claim: 'Việt Nam sẵn sàng mời các sĩ quan Mỹ sang học tiếng Việt', expect: { article: '002', text: 'học tiếng Việt' } },
  { kind: 'verbatim', claim: 'Pete Hegseth được bổ nhiệm làm Bộ trưởng Quốc phòng thứ 29 của Hợp chúng quốc Mỹ', expect: { article: '000', text: 'thứ 29' } },
  { kind: 'verbatim', claim: 'Bộ Quốc phòng Việt Nam đã xác minh 44/45 bộ hồ sơ thông tin tiếp nhận từ phía Mỹ', expect: { article: '002', text: '44/45' } },
  // Paraphrased (10, two in English).
  { kind: 'paraphrase', claim: 'Phía Mỹ đã nhận dạng được 740 trường hợp trong số hài cốt Việt Nam trao trả', expect: { article: '002', text: '740 trường hợp' } },
  { kind: 'paraphrase', claim: 'Tô Lâm mời Tổng thống Trump và Phu nhân sớm sang thăm Việt Nam', expect: { article: '003', text: 'cùng Phu nhân' } },
  { kind: 'paraphrase', claim: 'Phan Văn Giang mời Pete Hegseth thăm chính thức Việt Nam năm 2025', expect: { article: '000', text: 'gửi lời mời' } },
  { kind: 'paraphrase', claim: 'Bộ trưởng Belousov muốn tàu quân sự Nga được ghé các cảng biển Việt Nam', expect: { article: '004', text: 'tàu quân sự Nga' } },
  { kind: 'paraphrase', claim: 'Tháng 12/2024 Việt Nam tổ chức Triển lãm Quốc phòng quốc tế', expect: { article: '004', text: 'tháng 12/2024' } },
  { kind: 'paraphrase', claim: 'Năm 2025 là 30 năm bình thường hóa quan hệ giữa Việt Nam và Mỹ', expect: { article: '000', text: '30 năm ngày bình thường hóa' } },
  { kind: 'paraphrase', claim: 'Ngày 31/10/2025 hai bên ký Bản ghi nhớ về khắc phục hậu quả chiến tranh', expect: { article: '002', text: '31/10/2025' } },
  { kind: 'paraphrase', claim: 'Việt Nam cam kết tạo mọi điều kiện thuận lợi nhất cho hoạt động MIA', expect: { article: '002', text: 'điều kiện thuận lợi nhất cho hoạt động MIA' } },
  { kind: 'paraphrase', claim: 'Vietnam has returned 994 boxes of remains to the US', expect: { article: '002', text: '994 hòm' } },
  { kind: 'paraphrase', claim: 'The US announced 130 million USD for the dioxin project at Bien Hoa airport', expect: { article: '002', text: '130 triệu USD' } },
  // Paraphrased with other words than the article's (synonyms, other names for the same thing).
  { kind: 'paraphrase', claim: 'Washington chi thêm 130 triệu đô la để làm sạch chất độc da cam ở Biên Hòa', expect: { article: '002', text: '130 triệu USD' } },
  { kind: 'paraphrase', claim: 'Hà Nội đã bàn giao gần một nghìn hộp hài cốt lính Mỹ', expect: { article: '002', text: '994 hòm' } },
  { kind: 'paraphrase', claim: 'Người đứng đầu Lầu Năm Góc được Tổng Bí thư Tô Lâm tiếp', expect: { article: '003', text: 'Pete Hegseth' } },
  // Not in the corpus (6): wrong figures, wrong places, other news.
  { kind: 'absent', claim: 'Việt Nam đã trao trả cho Mỹ 500 hòm đựng hài cốt', expect: null },
  { kind: 'absent', claim: 'Mỹ viện trợ 300 triệu USD cho dự án dioxin ở Đà Nẵng', expect: null },
  { kind: 'absent', claim: 'Bộ trưởng Belousov sang thăm Hà Nội vào tháng 3/2025', expect: null },
  { kind: 'absent', claim: 'Việt Nam và Nga ký hiệp định thương mại tự do mới', expect: null },
  { kind: 'absent', claim: 'Giá vàng SJC hôm nay tăng mạnh', expect: null },
  { kind: 'absent', claim: 'Pete Hegseth announced that US troops will leave South Korea', expect: null },
];

/** A question, then a second message; `merge`: whether the second should be read with the first. */
export interface FollowUpCase {
  first: string;
  then: string;
  merge: boolean;
  /** A piece of the sentence the second message should be answered with (article id prefix), or null for "not in the corpus". */
  expect: { article: string; text: string } | null;
}

export const FOLLOW_UP_CASES: readonly FollowUpCase[] = [
  // Fragments: read with the question before them (14).
  { first: 'Việt Nam đã trao trả cho Mỹ bao nhiêu hòm hài cốt?', then: 'sau bao nhiêu đợt?', merge: true, expect: { article: '002', text: '160 đợt' } },
  { first: 'Việt Nam đã trao trả cho Mỹ bao nhiêu hòm hài cốt?', then: 'còn nhận dạng được bao nhiêu trường hợp?', merge: true, expect: { article: '002', text: '740 trường hợp' } },
  { first: 'Bản ghi nhớ về tăng cường hợp tác khắc phục hậu quả chiến tranh do ai ký?', then: 'khi nào?', merge: true, expect: { article: '002', text: '31/10/2025' } },
  { first: 'Bộ trưởng Quốc phòng Mỹ là ai?', then: 'còn Nga thì sao?', merge: true, expect: { article: '004', text: 'Belousov' } },
  { first: 'Phan Văn Giang hội đàm với Bộ trưởng Quốc phòng Nga ở đâu?', then: 'khi nào?', merge: true, expect: { article: '004', text: '13/8' } },
  { first: 'Việt Nam mời Bộ trưởng Quốc phòng Nga tham dự sự kiện gì?', then: 'vào tháng mấy?', merge: true, expect: { article: '004', text: 'tháng 12/2024' } },
  { first: 'Mỹ hỗ trợ bao nhiêu tiền cho dự án xử lý dioxin ở Biên Hòa?', then: 'còn khoản ngân sách bổ sung thì sao?', merge: true, expect: { article: '002', text: 'ngân sách bổ sung 130 triệu USD' } },
  { first: 'Phan Văn Giang điện đàm với Pete Hegseth khi nào?', then: 'Hegseth là Bộ trưởng Quốc phòng thứ mấy?', merge: false, expect: { article: '000', text: 'thứ 29' } },
  { first: 'Các cơ quan Bộ Quốc phòng đã xác minh bao nhiêu bộ hồ sơ do Mỹ cung cấp?', then: 'ký Bản ghi nhớ năm nào?', merge: false, expect: { article: '002', text: '7/2021' } },
  { first: 'Tổng Bí thư Tô Lâm mời ai sang thăm Việt Nam?', then: 'còn Phan Văn Giang thì sao?', merge: true, expect: { article: '000', text: 'gửi lời mời' } },
  { first: 'Bộ Quốc phòng Việt Nam tổ chức kỷ niệm bao nhiêu năm ngày thành lập Quân đội nhân dân?', then: 'năm nào?', merge: true, expect: { article: '004', text: '80 năm' } },
  { first: 'How many boxes of remains has Vietnam returned to the US?', then: 'after how many rounds?', merge: true, expect: { article: '002', text: '160 đợt' } },
  { first: 'Who is the defence minister of Russia?', then: 'and the US?', merge: true, expect: { article: '000', text: 'Pete Hegseth' } },
  { first: 'What aid did the US announce for the dioxin project at Bien Hoa airport?', then: 'how much?', merge: true, expect: { article: '002', text: '130 triệu USD' } },
  { first: 'Việt Nam sẵn sàng mời sĩ quan Mỹ sang học gì?', then: 'bao nhiêu?', merge: true, expect: null },
  { first: 'Tô Lâm tiếp Pete Hegseth nhân dịp kỷ niệm bao nhiêu năm thiết lập quan hệ ngoại giao?', then: 'còn kết thúc chiến tranh?', merge: true, expect: { article: '003', text: '50 năm kết thúc chiến tranh' } },
  // Questions of their own: asked as they are (6).
  { first: 'Việt Nam đã trao trả cho Mỹ bao nhiêu hòm hài cốt?', then: 'Bộ trưởng Quốc phòng Nga tên là gì?', merge: false, expect: { article: '004', text: 'Belousov' } },
  { first: 'Bộ trưởng Quốc phòng Mỹ là ai?', then: 'Mỹ hỗ trợ bao nhiêu tiền cho dự án xử lý dioxin ở sân bay Biên Hòa?', merge: false, expect: { article: '002', text: '130 triệu USD' } },
  { first: 'Mỹ hỗ trợ bao nhiêu cho dự án dioxin?', then: 'Việt Nam sẵn sàng mời sĩ quan Mỹ sang học tiếng gì?', merge: false, expect: { article: '002', text: 'học tiếng Việt' } },
  { first: 'Who is the US defence secretary?', then: 'How many boxes of remains did Vietnam return to the US?', merge: false, expect: { article: '002', text: '994' } },
  { first: 'Tô Lâm tiếp ai?', then: 'Giá vàng SJC hôm nay là bao nhiêu?', merge: false, expect: null },
  { first: 'Ai là Bộ trưởng Quốc phòng Nga?', then: 'Nga muốn tàu quân sự ghé cảng biển nào của Việt Nam?', merge: false, expect: { article: '004', text: 'tàu quân sự Nga' } },
];
