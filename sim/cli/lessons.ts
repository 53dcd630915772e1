/**
 * The ready-made lessons: a shipped scenario under scenarios/lessons/, the
 * chart that tells its story, and, in English and Korean, what to look for
 * and one question for students. `peerlab lesson <name>` runs the scenario
 * and writes this text next to its results as lesson.json, which the viewer
 * shows above everything else.
 */

export type Text = { en: string; ko: string };

/** The chart a lesson opens on. */
export interface LessonFocus {
  /** "comparison": the small multiples of comparison.csv; "timeseries": one column over time for every variant; "sweep": a metric against a parameter. */
  view: "comparison" | "timeseries" | "sweep";
  /** The column (timeseries.csv, comparison.csv or aggregate.csv's metric) to put first. */
  metric: string;
  /** For sweeps: the parameter on the x axis. */
  param?: string;
  /** Log axes (values that span decades). */
  logX?: boolean;
  logY?: boolean;
  /** A reference curve drawn with the sweep: ½·log2 N for Chord's hops. */
  reference?: "half-log2";
  /** Also show the topology view with its traced lookup replay. */
  topology?: boolean;
  /** The variant whose picture the topology view opens on (default: the first). */
  topologyRun?: string;
}

export interface Lesson {
  name: string;
  /** Relative to the package root. */
  scenario: string;
  title: Text;
  lookFor: Text;
  question: Text;
  focus: LessonFocus;
}

export const LESSONS: readonly Lesson[] = [
  {
    name: "topologies",
    scenario: "scenarios/lessons/topologies.yaml",
    title: { en: "Pure, hybrid and structured P2P", ko: "순수형, 하이브리드형, 구조형 P2P" },
    lookFor: {
      en: "All three find every key, but at very different prices. Flooding sends well over a hundred messages for each lookup, because every peer forwards the query to all its neighbours; the central index needs about four (ask the server, fetch from the holder); Chord needs about four too, yet without any server. Replay a lookup on each picture: the flood spreads everywhere, the index is a star, and Chord jumps across the ring toward the key, halving the distance each time.",
      ko: "세 방식 모두 모든 키를 찾지만 드는 비용은 크게 다릅니다. 플러딩은 모든 피어가 질의를 이웃 전부에게 전달하기 때문에 조회 한 번에 메시지를 백 개 넘게 보냅니다. 중앙 인덱스는 서버에 묻고 가진 피어에게서 받아 오므로 약 4개면 되고, Chord도 서버 없이 약 4개면 됩니다. 각 그림에서 조회를 재생해 보세요. 플러딩은 사방으로 퍼지고, 인덱스는 별 모양이며, Chord는 링을 가로질러 키 쪽으로 거리를 절반씩 줄이며 건너갑니다.",
    },
    question: {
      en: "If the network grew to 32,000 peers, which of the three costs would grow the most, and which design would you trust when the server is switched off?",
      ko: "네트워크가 피어 32,000개로 커진다면 세 가지 비용 중 어느 것이 가장 많이 늘어날까요? 서버가 꺼진다면 어떤 설계를 믿겠습니까?",
    },
    focus: { view: "comparison", metric: "messages_per_lookup", logY: true, topology: true, topologyRun: "chord" },
  },
  {
    name: "index-failure",
    scenario: "scenarios/lessons/index-failure.yaml",
    title: { en: "The index as a single point of failure", ko: "단일 장애점인 인덱스 서버" },
    lookFor: {
      en: "The shaded window is the index server's outage (4 to 7 minutes). The central index's success drops to almost zero at once and comes back only when the server restarts, even though every file is still on the peers. Chord loses one ordinary peer at the same moment and barely notices. Replay a lookup traced at 4 minutes: the query goes to the dead server and nothing answers.",
      ko: "음영 구간은 인덱스 서버가 멈춘 시간(4분~7분)입니다. 파일은 모두 피어들에게 그대로 있는데도 중앙 인덱스의 성공률은 곧바로 거의 0으로 떨어지고 서버가 다시 켜져야 돌아옵니다. Chord는 같은 순간 평범한 피어 하나를 잃지만 거의 티가 나지 않습니다. 4분에 추적한 조회를 재생해 보세요. 질의가 멈춘 서버로 가고 아무도 답하지 않습니다.",
    },
    question: {
      en: "Napster's files lived on the users' computers. Why was shutting down one company's servers enough to stop it, and what would it take to stop Chord?",
      ko: "Napster의 파일은 사용자 컴퓨터에 있었습니다. 그런데 왜 회사 서버만 끄면 서비스 전체가 멈췄을까요? Chord를 멈추려면 무엇이 필요할까요?",
    },
    focus: { view: "timeseries", metric: "success_ratio", topology: true },
  },
  {
    name: "mass-failure",
    scenario: "scenarios/lessons/mass-failure.yaml",
    title: { en: "Robustness: one peer fails, then half of them", ko: "견고성: 피어 하나의 장애와 절반의 장애" },
    lookFor: {
      en: "At 4 minutes (the red line) one peer or half of all peers crash at once. Losing one peer changes nothing you can see. Losing half makes Chord's success dip to about three in four for one interval, until stabilization repairs successor pointers and replicas answer for the dead owners; it then settles a little below 100 %, because some keys lost all four copies. Kademlia does not dip at all: every key is on 20 peers and lookups ask several contacts in parallel. Flooding keeps working but settles lower, because the copies on crashed peers are gone and nothing re-creates them.",
      ko: "4분(빨간 선)에 피어 하나, 또는 절반이 한꺼번에 멈춥니다. 피어 하나를 잃는 것은 눈에 보이는 변화가 없습니다. 절반을 잃으면 Chord의 성공률이 한 구간 동안 4분의 3 정도로 떨어졌다가, stabilize가 후속자 포인터를 고치고 복제본이 죽은 주인 대신 답하면서 회복합니다. 다만 사본 4개를 모두 잃은 키가 있어서 100 %보다 조금 낮게 유지됩니다. Kademlia는 전혀 떨어지지 않습니다. 키마다 피어 20개에 저장되고 여러 연락처에 동시에 묻기 때문입니다. 플러딩은 계속 동작하지만 멈춘 피어의 사본이 사라지고 다시 만들어지지 않아 더 낮은 수준에 머뭅니다.",
    },
    question: {
      en: "Each overlay stores a key on a different number of peers. If half the peers crash at random, what is the chance that all 4 of a Chord key's copies are gone, and all 20 of a Kademlia key's?",
      ko: "오버레이마다 키를 저장하는 피어 수가 다릅니다. 피어의 절반이 무작위로 멈출 때, Chord 키의 사본 4개가 모두 사라질 확률과 Kademlia 키의 사본 20개가 모두 사라질 확률은 각각 얼마일까요?",
    },
    focus: { view: "timeseries", metric: "success_ratio" },
  },
  {
    name: "attack-the-hub",
    scenario: "scenarios/lessons/attack-the-hub.yaml",
    title: { en: "Attack the hub: targeted versus random crashes", ko: "허브 공격: 표적 장애와 무작위 장애" },
    lookFor: {
      en: "The same number of peers crash at 4 minutes in both runs. Chosen at random they are mostly ordinary peers, and success hardly moves. Chosen by degree they are the super-peers that index everyone else's files, and success falls to under half until the orphaned peers find new super-peers, about a minute later.",
      ko: "두 실행 모두 4분에 같은 수의 피어가 멈춥니다. 무작위로 고르면 대부분 평범한 피어라서 성공률이 거의 변하지 않습니다. 연결 수로 고르면 다른 피어들의 파일 목록을 가진 슈퍼 피어가 멈추고, 남겨진 피어들이 약 1분 뒤 새 슈퍼 피어를 찾을 때까지 성공률이 절반 아래로 떨어집니다.",
    },
    question: {
      en: "Scale-free networks such as the Internet's router graph are said to be \"robust yet fragile\". What does this lesson show about why, and how would you protect the hubs?",
      ko: "인터넷 라우터 그래프 같은 척도 없는 네트워크는 '견고하면서도 취약하다'고 합니다. 이 수업은 그 이유를 어떻게 보여 주나요? 허브는 어떻게 보호하겠습니까?",
    },
    focus: { view: "timeseries", metric: "success_ratio" },
  },
  {
    name: "messages-vs-n",
    scenario: "scenarios/lessons/messages-vs-n.yaml",
    title: { en: "Messages per lookup as the network grows", ko: "네트워크가 커질 때 조회당 메시지" },
    lookFor: {
      en: "Both axes are logarithmic, so a cost proportional to N is a straight line of slope 1: that is flooding, doubling with every doubling of the network. The DHTs' lines are almost flat: each doubling adds only about one message. In the hops chart, Chord's mean hops follow the dashed ½·log2 N curve from the Chord paper.",
      ko: "두 축이 모두 로그 눈금이라 N에 비례하는 비용은 기울기 1인 직선이 됩니다. 네트워크가 두 배가 될 때마다 두 배가 되는 플러딩이 그렇습니다. DHT의 선은 거의 평평해서 두 배가 될 때마다 메시지가 하나 정도만 늘어납니다. 홉 수 차트에서 Chord의 평균 홉 수는 Chord 논문의 ½·log2 N 점선을 따라갑니다.",
    },
    question: {
      en: "Extend the lines by eye to a million peers. How many messages would one flooded lookup cost, and how many would a Chord lookup cost?",
      ko: "선을 눈으로 피어 백만 개까지 늘려 보세요. 플러딩 조회 한 번에 메시지가 몇 개 필요하고, Chord 조회에는 몇 개가 필요할까요?",
    },
    focus: { view: "sweep", metric: "messages_per_lookup", param: "peers.count", logX: true, logY: true, reference: "half-log2" },
  },
  {
    name: "replication",
    scenario: "scenarios/lessons/replication.yaml",
    title: { en: "Data loss against replication", ko: "복제 수와 데이터 손실" },
    lookFor: {
      en: "With no extra copies a crash destroys every key its peer owned: about half the data is unavailable and the items lost for good pile up. One extra copy removes most of the loss; two or four leave almost nothing to lose, because re-replication every 30 s replaces copies faster than crashes remove them. The bands are 95 % intervals over 5 seeds.",
      ko: "추가 사본이 없으면 피어가 멈출 때 그 피어가 주인인 키가 모두 사라집니다. 데이터의 절반 정도를 쓸 수 없고 영영 잃은 항목이 쌓입니다. 사본 하나만 더 두어도 손실 대부분이 사라지고, 둘이나 넷이면 거의 잃지 않습니다. 30초마다 다시 복제해서 장애가 사본을 없애는 속도보다 빨리 채우기 때문입니다. 띠는 시드 5개에 대한 95 % 구간입니다.",
    },
    question: {
      en: "Each extra copy costs storage and repair traffic. Using the chart, how many copies would you choose for class notes, and how many for a bank's records?",
      ko: "사본을 하나 늘릴 때마다 저장 공간과 복구 트래픽이 듭니다. 차트를 보고 수업 노트에는 사본 몇 개를, 은행 기록에는 몇 개를 고르겠습니까?",
    },
    focus: { view: "sweep", metric: "availability_mean", param: "overlay.storage.replicas" },
  },
  {
    name: "malicious",
    scenario: "scenarios/lessons/malicious.yaml",
    title: { en: "Malicious peers against verification", ko: "악의적인 피어와 검증" },
    lookFor: {
      en: "One peer in five lies about values. Without verification almost a fifth of the lookups end with a corrupted value that the requester believes. With verification (comparing the value's content hash with the key) every lookup succeeds again, for a few extra messages: the requester throws the lie away and asks the next closest peer.",
      ko: "피어 다섯 중 하나가 값을 속입니다. 검증하지 않으면 조회의 거의 5분의 1이 조작된 값을 받고도 요청자가 그대로 믿습니다. 검증하면(값의 콘텐츠 해시를 키와 비교) 메시지 몇 개를 더 써서 모든 조회가 다시 성공합니다. 요청자는 거짓 값을 버리고 다음으로 가까운 피어에게 묻습니다.",
    },
    question: {
      en: "Verification works here because the key is the hash of the value. What could a liar still do if keys were names, such as a song title, instead of hashes?",
      ko: "여기서 검증이 통하는 것은 키가 값의 해시이기 때문입니다. 키가 해시가 아니라 노래 제목 같은 이름이라면 거짓말하는 피어는 무엇을 할 수 있을까요?",
    },
    focus: { view: "comparison", metric: "success_ratio" },
  },
  {
    name: "self-repair",
    scenario: "scenarios/lessons/self-repair.yaml",
    title: { en: "Self-repair after a freeze", ko: "정지 후의 자가 복구" },
    lookFor: {
      en: "Peers keep coming and going all the time. In the shaded window (4 to 7 minutes) nobody runs stabilize or fixes fingers: pointers to departed peers pile up, success falls and lookups time out. When maintenance resumes, success returns to its old level within a minute or two — nobody repaired the ring from outside; each peer fixed its own pointers.",
      ko: "피어는 계속 들어오고 나갑니다. 음영 구간(4분~7분)에는 아무도 stabilize를 하거나 핑거를 고치지 않습니다. 떠난 피어를 가리키는 포인터가 쌓이고, 성공률이 떨어지며 조회가 시간 초과됩니다. 유지 보수가 다시 시작되면 1~2분 안에 성공률이 예전 수준으로 돌아옵니다. 밖에서 링을 고쳐 준 것이 아니라 피어마다 자기 포인터를 고쳤을 뿐입니다.",
    },
    question: {
      en: "Stabilize runs every 10 seconds here. What would you expect if it ran every minute instead, and what does running it more often cost?",
      ko: "여기서는 stabilize가 10초마다 실행됩니다. 1분마다 실행하면 어떻게 될까요? 더 자주 실행하면 어떤 비용이 들까요?",
    },
    focus: { view: "timeseries", metric: "success_ratio", topology: true },
  },
  {
    name: "nft-metadata",
    scenario: "scenarios/lessons/nft-metadata.yaml",
    title: { en: "NFT metadata: pinned by a service or by its creator?", ko: "NFT 메타데이터: 피닝 서비스가 지킬까, 만든 사람이 지킬까?" },
    lookFor: {
      en: "An NFT points to its metadata by CID, a hash: anyone may serve the file and everyone can check it, but somebody must be online and have it. When only the creator's home computer keeps it, the file is available only while that computer is on or a copy another peer fetched survives: about 60 % of the time here, though each computer is on only a third of it. Lookups fail just as often. Uploaded to a pinning service, every file stays available and lookups succeed once the uploads are done. Nothing else differs between the two runs.",
      ko: "NFT는 메타데이터를 해시인 CID로 가리킵니다. 누구나 그 파일을 내줄 수 있고 누구나 검증할 수 있지만, 누군가는 켜져 있으면서 그 파일을 가지고 있어야 합니다. 만든 사람의 가정용 컴퓨터만 파일을 가지고 있으면 그 컴퓨터가 켜져 있거나 다른 피어가 받아 간 사본이 남아 있을 때만 파일을 받을 수 있습니다. 컴퓨터마다 켜져 있는 시간은 3분의 1뿐이지만 여기서는 약 60 %입니다. 조회도 그만큼 실패합니다. 피닝 서비스에 올리면 업로드가 끝난 뒤로 모든 파일을 언제나 받을 수 있고 조회도 성공합니다. 두 실행의 다른 점은 이것뿐입니다.",
    },
    question: {
      en: "The token itself lives on a blockchain forever, but its metadata does not. Who should pay for keeping it online, and what happens to the NFT if that payment stops?",
      ko: "토큰 자체는 블록체인에 영원히 남지만 메타데이터는 그렇지 않습니다. 메타데이터를 계속 온라인에 두는 비용은 누가 내야 할까요? 그 비용을 더 내지 않으면 NFT는 어떻게 될까요?",
    },
    focus: { view: "timeseries", metric: "availability" },
  },
  {
    name: "swarm-vs-server",
    scenario: "scenarios/lessons/swarm-vs-server.yaml",
    title: { en: "One server or a swarm: does a crowd slow the download?", ko: "서버 하나와 스웜: 사람이 몰리면 느려질까?" },
    lookFor: {
      en: "From one server the time to give everyone the file grows in proportion to the crowd: 2 peers wait 12 minutes, 40 peers 4 hours, because the server's upload is split among them all. In the BitTorrent swarm the same 40 peers are done in about an hour: each downloader uploads the pieces it already has to the others, so every newcomer brings capacity as well as demand. The swarm stays a little above its theoretical best (T/T_min about 1.3 at 40 peers) because a peer can only pass on pieces it has already received.",
      ko: "서버 하나에서 받으면 모두가 파일을 받는 시간이 사람 수에 비례해 늘어납니다. 피어 2개는 12분, 40개는 4시간을 기다립니다. 서버의 업로드를 모두가 나눠 쓰기 때문입니다. BitTorrent 스웜에서는 같은 40개 피어가 약 한 시간 만에 끝납니다. 받는 피어마다 이미 받은 조각을 다른 피어에게 올려 주므로, 새로 오는 피어는 수요와 함께 용량도 가져옵니다. 피어는 이미 받은 조각만 넘겨줄 수 있어서, 스웜은 이론상 최선보다 조금 느립니다 (피어 40개에서 T/T_min 약 1.3).",
    },
    question: {
      en: "A game company must send a 50 GB update to a million players on release day. What would it cost to do that from its own servers alone, and what do players give up when the company uses a swarm instead?",
      ko: "게임 회사가 출시일에 50 GB 업데이트를 플레이어 백만 명에게 보내야 합니다. 회사 서버만으로 보내려면 무엇이 필요할까요? 스웜을 쓰면 플레이어는 무엇을 내주게 될까요?",
    },
    focus: { view: "sweep", metric: "distribution_time_s", param: "peers.count" },
  },
];

export function findLesson(name: string): Lesson | undefined {
  return LESSONS.find((l) => l.name === name);
}
