import { lang, t } from "./i18n.js";

/**
 * Names of result columns, link kinds, message types and overlays in both
 * languages. Results name their columns in snake_case (docs/results.md); the
 * page never shows those names raw. Well-known columns have a title written
 * out; any other column is translated word by word from the glossary, so a
 * column a new overlay adds still reads as words in either language.
 */

type Pair = readonly [en: string, ko: string];

const TITLES: Record<string, Pair> = {
  variant: ["Variant", "변형"],
  overlay: ["Overlay", "오버레이"],
  point: ["Grid point", "격자 점"],
  runs: ["Runs", "실행 수"],
  lookups_completed: ["Lookups completed", "완료된 조회"],
  success_ratio: ["Lookup success", "조회 성공률"],
  latency_mean_ms: ["Latency, mean", "지연 시간, 평균"],
  latency_p50_ms: ["Latency, median (p50)", "지연 시간, 중앙값(p50)"],
  latency_p90_ms: ["Latency, p90", "지연 시간, p90"],
  latency_p99_ms: ["Latency, p99", "지연 시간, p99"],
  hops_mean: ["Hops per lookup", "조회당 홉 수"],
  messages_per_lookup: ["Messages per lookup", "조회당 메시지"],
  bytes_per_lookup: ["Bytes per lookup", "조회당 바이트"],
  messages_per_peer_per_s: ["Messages per peer per second", "피어당 초당 메시지"],
  lookup_messages_per_peer_per_s: ["Lookup messages per peer per second", "피어당 초당 조회 메시지"],
  maintenance_messages_per_peer_per_s: ["Maintenance traffic per peer", "피어당 유지 보수 트래픽"],
  bytes_per_peer_per_s: ["Bytes per peer per second", "피어당 초당 바이트"],
  live_peers_mean: ["Peers online, mean", "온라인 피어, 평균"],
  live_peers: ["Peers online", "온라인 피어"],
  availability_mean: ["Data availability", "데이터 가용성"],
  availability: ["Data availability", "데이터 가용성"],
  items_lost: ["Items lost for good", "영구 손실 항목"],
  "peers.count": ["Peers (N)", "피어 수 (N)"],
  "overlay.storage.replicas": ["Extra copies per key", "키당 추가 사본"],
  "overlay.mode": ["Mode", "방식"],
  time_s: ["Simulated time", "시뮬레이션 시간"],
};

const UNITS: Record<string, "percent" | "ms" | "s" | "hops" | "messages" | "msgPeerS" | "peers" | "lookups" | "bytes" | null> = {
  success_ratio: "percent",
  availability_mean: "percent",
  availability: "percent",
  latency_mean_ms: "ms",
  latency_p50_ms: "ms",
  latency_p90_ms: "ms",
  latency_p99_ms: "ms",
  hops_mean: "hops",
  messages_per_lookup: "messages",
  messages_per_peer_per_s: "msgPeerS",
  lookup_messages_per_peer_per_s: "msgPeerS",
  maintenance_messages_per_peer_per_s: "msgPeerS",
  live_peers_mean: "peers",
  live_peers: "peers",
  lookups_completed: "lookups",
  bytes_per_lookup: "bytes",
};

/** Word by word, for columns, link kinds and message types without a written-out title. */
const WORDS: Record<string, Pair> = {
  ack: ["ack", "확인"], accepted: ["accepted", "수락"], adversary: ["adversary", "공격자"], alive: ["alive", "생존"], attach: ["attach", "연결"], attaches: ["attaches", "연결"],
  available: ["available", "가용"], availability: ["availability", "가용성"], bootstrap: ["bootstrap", "부트스트랩"], bucket: ["bucket", "버킷"], busy: ["busy", "사용 중"], bye: ["goodbye", "작별"],
  bytes: ["bytes", "바이트"], cached: ["cached", "캐시됨"], check: ["check", "확인"], checked: ["checked", "검사함"], connect: ["connect", "연결"], contacts: ["contacts", "연락처"],
  copies: ["copies", "사본"], crashes: ["crashes", "갑작스러운 종료"], dead: ["dead", "죽은"], deregister: ["deregister", "등록 해제"], degree: ["degree", "연결 수"], detected: ["detected", "탐지"], discover: ["discover", "탐색"], discovery: ["discovery", "탐색"],
  down: ["down", "중단"], dropped: ["dropped", "버림"], duplicate: ["duplicate", "중복"], ends: ["ends", "끝"], ended: ["ended", "끝남"], exact: ["exact", "정확한"], failed: ["failed", "실패"],
  fetch: ["fetch", "가져오기"], find: ["find", "찾기"], finger: ["finger", "핑거"], fingers: ["fingers", "핑거"], finished: ["finished", "끝난"], found: ["found", "찾음"], get: ["get", "가져오기"], gets: ["gets", "가져오기"],
  good: ["good", "영구"], handoff: ["hand-off", "넘겨주기"], handovers: ["hand-overs", "넘겨주기"], held: ["held", "보유"], hit: ["hit", "적중"], hits: ["hits", "적중"], hop: ["hop", "홉"], hops: ["hops", "홉"],
  in: ["in", "안"], index: ["index", "인덱스"], isolated: ["isolated", "고립된"], items: ["items", "항목"], join: ["join", "참여"], joins: ["joins", "참여"], keep: ["keep", "유지"], kclosest: ["k closest", "가장 가까운 k개"],
  latency: ["latency", "지연 시간"], leaf: ["leaf", "잎 피어"], leaves: ["leaves", "떠남"], leaving: ["leaving", "떠남"], limit: ["limit", "한도"], links: ["links", "링크"], list: ["list", "목록"], live: ["live", "온라인"],
  lookup: ["lookup", "조회"], lookups: ["lookups", "조회"], lost: ["lost", "잃음"], maintenance: ["maintenance", "유지 보수"], malicious: ["malicious", "악의적"], mean: ["mean", "평균"], messages: ["messages", "메시지"],
  misroutes: ["misroutes", "잘못된 경로 안내"], ms: ["ms", "ms"], neighbour: ["neighbour", "이웃"], neighbours: ["neighbours", "이웃"], never: ["never", "한 번도 안 됨"], node: ["node", "노드"], nodes: ["nodes", "노드"], not: ["not", "못함"],
  notify: ["notify", "알림"], now: ["now", "현재"], online: ["online", "온라인"], owner: ["owner", "주인"], p50: ["p50", "p50"], p90: ["p90", "p90"], p99: ["p99", "p99"], peer: ["peer", "피어"], peers: ["peers", "피어"],
  per: ["per", "당"], ping: ["ping", "핑"], pings: ["pings", "핑"], pong: ["pong", "퐁"], predecessor: ["predecessor", "선행자"], predecessors: ["predecessors", "선행자"], publishes: ["publishes", "게시"],
  purged: ["purged", "삭제"], by: ["by", "기준"], puts: ["puts", "저장"], put: ["put", "저장"], queries: ["queries", "질의"], query: ["query", "질의"], queue: ["queue", "대기열"], re: ["re-", "재"], reattachments: ["re-attachments", "재연결"],
  received: ["received", "받음"], refreshes: ["refreshes", "갱신"], register: ["register", "등록"], registered: ["registered", "등록됨"], registrations: ["registrations", "등록"], registration: ["registration", "등록"], rejected: ["rejected", "거절"],
  rejoins: ["rejoins", "재참여"], repair: ["repair", "복구"], replicate: ["replicate", "복제"], replications: ["replications", "복제"], reply: ["reply", "응답"], report: ["report", "보고"], retries: ["retries", "재시도"],
  ring: ["ring", "링"], rings: ["rings", "링 개수"], route: ["route", "라우팅"], rounds: ["rounds", "라운드"], rpcs: ["RPCs", "RPC"], served: ["served", "처리함"], servers: ["servers", "서버"], sp: ["super-peer", "슈퍼 피어"],
  stale: ["stale", "낡은"], started: ["started", "시작"], step: ["step", "단계"], store: ["store", "저장"], stored: ["stored", "저장됨"], succeeded: ["succeeded", "성공"], success: ["success", "성공"], successor: ["successor", "후속자"],
  successors: ["successors", "후속자"], super: ["super", "슈퍼"], table: ["table", "테이블"], tampered: ["tampered", "조작된 값"], target: ["target", "대상"], timeout: ["timeout", "시간 초과"], timeouts: ["timeouts", "시간 초과"],
  unattached: ["unattached", "미연결"], undelivered: ["undelivered", "전달 안 됨"], up: ["up", "가동"], utilisation: ["utilisation", "이용률"], value: ["value", "값"], values: ["values", "값"], wait: ["wait", "대기"],
  walk: ["walk", "랜덤 워크"], walkers: ["walkers", "워커"], wrong: ["wrong", "틀린"], ratio: ["ratio", "비율"], count: ["count", "수"], replicas: ["replicas", "복제본"], storage: ["storage", "저장소"],
  cross: ["cross", "교차"], rpc: ["RPC", "RPC"], answer: ["answer", "응답"], ack2: ["ack", "확인"], deadpeer: ["dead peer", "죽은 피어"], entries: ["entries", "항목"], phase: ["phase", "단계"], time: ["time", "시간"], s: ["s", "초"],
  kind: ["kind", "종류"], keys: ["keys", "키"], key: ["key", "키"], data: ["data", "데이터"], hybrid: ["hybrid", "하이브리드"], chord: ["Chord", "Chord"], kademlia: ["Kademlia", "Kademlia"], unstructured: ["unstructured", "비구조형"],
  // Data moved as transfers in a lookup's trace (IPFS blocks): when one starts, arrives or is cut.
  block: ["block", "블록"], arrived: ["arrived", "도착"], cut: ["cut", "끊김"],
};

const KINDS: Record<string, Pair> = {
  successor: ["successor", "후속자"],
  "successor-list": ["successor list", "후속자 목록"],
  predecessor: ["predecessor", "선행자"],
  finger: ["finger", "핑거"],
  bucket: ["k-bucket contact", "k-버킷 연락처"],
  neighbour: ["neighbour", "이웃"],
  index: ["index link", "인덱스 링크"],
  "super-peer": ["super-peer link", "슈퍼 피어 링크"],
  leaf: ["leaf link", "잎 피어 링크"],
  // IPFS and blockchain peers, and BitTorrent connections that are choked; gossip's partial views.
  connection: ["connection", "연결"],
  unchoked: ["unchoked connection", "초크 해제된 연결"],
  view: ["partial view", "부분 뷰"],
};

const OVERLAYS: Record<string, Pair> = {
  unstructured: ["unstructured", "비구조형"],
  hybrid: ["hybrid", "하이브리드"],
  chord: ["Chord", "Chord"],
  kademlia: ["Kademlia", "Kademlia"],
  bittorrent: ["BitTorrent", "BitTorrent"],
  gossip: ["gossip", "가십"],
  blockchain: ["blockchain", "블록체인"],
  ipfs: ["IPFS", "IPFS"],
};

const pick = (p: Pair) => (lang() === "ko" ? p[1] : p[0]);

/** A time-series column as columns.json describes it (docs/results.md). */
export interface ColumnMeta {
  unit?: string;
  kind?: string;
  title?: { en?: string; ko?: string };
}

/** Titles from the results' own column metadata, by column: they win over the table below. */
const fromResults = new Map<string, Pair>();

export function registerColumns(meta: Record<string, ColumnMeta>): void {
  for (const [column, m] of Object.entries(meta)) {
    const en = m?.title?.en;
    const ko = m?.title?.ko;
    if (typeof en === "string" && typeof ko === "string" && en && ko) fromResults.set(column, [en, ko]);
  }
}

/** Words of a snake_case, kebab-case, dotted or camelCase name. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[\s_.\-]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

function byWords(name: string): string {
  const ws = words(name).map((w) => (WORDS[w] ? pick(WORDS[w]!) : w));
  const text = ws.join(" ");
  return lang() === "en" ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}

/** A result column's title in the current language. */
export function columnTitle(column: string): string {
  const known = fromResults.get(column) ?? TITLES[column];
  return known ? pick(known) : byWords(column);
}

export type UnitKey = NonNullable<(typeof UNITS)[string]>;

/** A column's unit, if known or evident from its name. */
export function columnUnit(column: string): UnitKey | null {
  if (column in UNITS) return UNITS[column]!;
  if (/_ms$/.test(column)) return "ms";
  if (/(ratio|utilisation|availability)$/.test(column)) return "percent";
  return null;
}

export function linkKindName(kind: string): string {
  return KINDS[kind] ? pick(KINDS[kind]!) : byWords(kind);
}

export function messageTypeName(type: string): string {
  return byWords(type);
}

export function overlayName(type: string | null | undefined): string {
  if (!type) return "";
  return OVERLAYS[type] ? pick(OVERLAYS[type]!) : type;
}

/**
 * A fault event's label in the page's language, from its kind and the
 * numbers in the simulator's English label (annotations.json); the English
 * label itself when the kind is not known.
 */
export function faultLabel(kind: string, label: string): string {
  const n = /(\d+) peers/.exec(label)?.[1];
  switch (kind) {
    case "crash": {
      const by = /most (degree|load|storage)/.exec(label)?.[1];
      const target = t(by === "degree" ? "targetDegree" : by === "load" ? "targetLoad" : by === "storage" ? "targetStorage" : "targetRandom");
      return n === "1" ? t("faultCrashOne", { target }) : t("faultCrash", { n: n ?? "?", target });
    }
    case "outage":
      return /index/.test(label) ? t("faultOutage") : label;
    case "restart":
      return /index/.test(label) ? t("faultRestart") : label;
    case "partition":
      return t("faultPartition");
    case "heal":
      return t("faultHeal");
    case "degrade":
      return t("faultDegrade");
    case "recover":
      return t("faultRecover");
    case "freeze":
      return t("faultFreeze");
    case "unfreeze":
      return t("faultUnfreeze");
    case "flash-crowd":
      return t("faultFlash", { n: n ?? "?" });
    default:
      return label;
  }
}
