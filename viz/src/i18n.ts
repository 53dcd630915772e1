/**
 * English and Korean. The language defaults to the browser's
 * (navigator.language) and can be switched in the header; every visible
 * string goes through `t`.
 */

export type Lang = "en" | "ko";

const en = {
  title: "peerlab viewer",
  language: "Language",
  loading: "Loading…",
  runs: "Runs",
  groups: "Comparisons and sweeps",
  noRuns: "No runs found here. Run a scenario first, for example: peerlab run scenarios/flooding-basic.yaml",
  selectHint: "Tick runs to overlay them.",
  timeSeries: "Time series",
  distributions: "Latency and hops (measured window)",
  summary: "Summary across runs",
  comparison: "Comparison",
  sweep: "Sweep",
  topology: "Topology and lookup replay",
  simTime: "Simulated time",
  otherColumn: "Another column",
  warmupEnd: "warm-up",
  cdfTitle: "Latency CDF of successful lookups",
  cdfX: "Lookup latency",
  cdfY: "Successful lookups at or below",
  hopTitle: "Hops per successful lookup",
  hopX: "Hops",
  hopY: "Lookups",
  metric: "Metric",
  parameter: "Parameter",
  mean95: "mean with 95 % confidence band",
  noData: "No data for the selected runs.",
  noTopology: "None of the selected runs has snapshots. Add metrics.snapshots (and metrics.traceLookups) to a scenario to see its overlay here.",
  run: "Run",
  snapshot: "Snapshot",
  timeline: "Timeline",
  prev: "◀ Previous",
  next: "Next ▶",
  peersShown: "{shown} of {online} peers shown",
  tracedLookup: "Traced lookup",
  lookupOption: "#{id}: peer {origin} looks for key {key} at {t} s ({outcome}, {n} messages)",
  stepBack: "◀ Back",
  step: "Step ▶",
  play: "Play",
  pause: "Pause",
  reset: "Reset",
  replayStart: "Lookup #{id} starts at peer {origin}, looking for key {key}. Press Step.",
  replayMessage: "Message {i} of {n} at {t} s: {type} from peer {from} to peer {to}",
  replayEnd: "Done: the lookup {outcome} ({hops} hops, {n} messages).",
  notShown: " (not in the picture)",
  succeeded: "succeeded",
  failed: "failed",
  unfinished: "was unfinished",
  legendLinks: "Links",
  eventSnapshot: "snapshot",
  exportSvg: "SVG",
  exportPng: "PNG",
  download: "Download",
  variant: "variant",
  successRatio: "Lookup success ratio",
  latencyMean: "Lookup latency, mean",
  latencyP50: "Lookup latency, p50",
  latencyP90: "Lookup latency, p90",
  latencyP99: "Lookup latency, p99",
  hopsMean: "Hops per successful lookup, mean",
  messagesPerPeer: "Messages per peer per second",
  livePeers: "Peers online",
  availability: "Data availability",
  throughput: "Bytes delivered per second",
  uploadUtilisation: "Upload utilisation, mean over peers",
  messagesPerLookup: "Messages per lookup",
  lookupsStarted: "Lookups started",
  uPercent: "%",
  uMs: "ms",
  uS: "s",
  uMin: "min",
  uHops: "hops",
  uPeers: "peers",
  uMsgPeerS: "messages / peer / s",
  uBytesS: "bytes / s",
  uMessages: "messages",
  uLookups: "lookups",
};

type Strings = typeof en;

const ko: Strings = {
  title: "peerlab 뷰어",
  language: "언어",
  loading: "불러오는 중…",
  runs: "실행 결과",
  groups: "비교와 스윕",
  noRuns: "결과가 없습니다. 먼저 시나리오를 실행하세요. 예: peerlab run scenarios/flooding-basic.yaml",
  selectHint: "겹쳐 볼 실행 결과를 선택하세요.",
  timeSeries: "시계열",
  distributions: "지연 시간과 홉 수 (측정 구간)",
  summary: "실행별 요약",
  comparison: "비교",
  sweep: "스윕",
  topology: "토폴로지와 조회 재생",
  simTime: "시뮬레이션 시간",
  otherColumn: "다른 열",
  warmupEnd: "워밍업",
  cdfTitle: "성공한 조회의 지연 시간 누적 분포(CDF)",
  cdfX: "조회 지연 시간",
  cdfY: "이 값 이하인 성공 조회",
  hopTitle: "성공한 조회의 홉 수",
  hopX: "홉 수",
  hopY: "조회 수",
  metric: "지표",
  parameter: "매개변수",
  mean95: "평균과 95 % 신뢰 구간",
  noData: "선택한 실행 결과에 데이터가 없습니다.",
  noTopology: "선택한 실행 결과에 스냅샷이 없습니다. 시나리오에 metrics.snapshots(와 metrics.traceLookups)를 추가하면 오버레이를 볼 수 있습니다.",
  run: "실행",
  snapshot: "스냅샷",
  timeline: "타임라인",
  prev: "◀ 이전",
  next: "다음 ▶",
  peersShown: "피어 {online}개 중 {shown}개 표시",
  tracedLookup: "추적한 조회",
  lookupOption: "#{id}: 피어 {origin}가 키 {key} 조회, {t}초 ({outcome}, 메시지 {n}개)",
  stepBack: "◀ 뒤로",
  step: "한 단계 ▶",
  play: "재생",
  pause: "일시 정지",
  reset: "처음으로",
  replayStart: "조회 #{id}: 피어 {origin}가 키 {key}를 찾기 시작합니다. '한 단계'를 누르세요.",
  replayMessage: "메시지 {i}/{n}, {t}초: {type}, 피어 {from} → 피어 {to}",
  replayEnd: "끝: 조회 {outcome} (홉 {hops}, 메시지 {n}개).",
  notShown: " (그림에 없음)",
  succeeded: "성공",
  failed: "실패",
  unfinished: "미완료",
  legendLinks: "링크",
  eventSnapshot: "스냅샷",
  exportSvg: "SVG",
  exportPng: "PNG",
  download: "내려받기",
  variant: "변형",
  successRatio: "조회 성공률",
  latencyMean: "조회 지연 시간, 평균",
  latencyP50: "조회 지연 시간, p50",
  latencyP90: "조회 지연 시간, p90",
  latencyP99: "조회 지연 시간, p99",
  hopsMean: "성공한 조회의 홉 수, 평균",
  messagesPerPeer: "피어당 초당 메시지",
  livePeers: "온라인 피어",
  availability: "데이터 가용성",
  throughput: "초당 전달된 바이트",
  uploadUtilisation: "업로드 이용률, 피어 평균",
  messagesPerLookup: "조회당 메시지",
  lookupsStarted: "시작된 조회",
  uPercent: "%",
  uMs: "ms",
  uS: "초",
  uMin: "분",
  uHops: "홉",
  uPeers: "피어",
  uMsgPeerS: "메시지 / 피어 / 초",
  uBytesS: "바이트 / 초",
  uMessages: "메시지",
  uLookups: "조회",
};

export type Key = keyof Strings;

let current: Lang = "en";

export function defaultLang(): Lang {
  const saved = safeStorage()?.getItem("peerlab.lang");
  if (saved === "en" || saved === "ko") return saved;
  return (navigator.language || "en").toLowerCase().startsWith("ko") ? "ko" : "en";
}

export function setLang(lang: Lang): void {
  current = lang;
  document.documentElement.lang = lang;
  safeStorage()?.setItem("peerlab.lang", lang);
}

export function lang(): Lang {
  return current;
}

/** The string for `key`, with {name} placeholders filled in. */
export function t(key: Key, values: Record<string, string | number> = {}): string {
  const text = (current === "ko" ? ko : en)[key];
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? `{${name}}`));
}

function safeStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined; // file:// pages in some browsers
  }
}
