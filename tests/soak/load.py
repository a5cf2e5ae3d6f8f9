"""The soak's load: simulated students holding realistic 6-turn conversations over REST, and the
checks that nothing was lost (every acknowledged message is in the tracker store, in order).

Conversations are built from the end-to-end cases (tests/e2e/cases.yml): a greeting or a single
question, a question and its follow-up (context needed: "Tell me about the CRENG project" →
"Who is the coordinator?" must say Warsaw), another question, another follow-up. Every case's
last answer is judged with the team scorer's rules, so a conversation that lost its context
shows up as a wrong answer, not just as a slow one.

Bounded by construction: `users` tasks, each stops starting turns at `duration` seconds, each
request times out after `timeout` seconds, and all traffic goes to the given loopback URL.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import statistics
import time
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import aiohttp
import yaml

from tests.e2e.scoring import flatten, judge

ROOT = Path(__file__).resolve().parents[2]
ACTION_APOLOGY = "Sorry, I can't look that up right now"
STORE_APOLOGY = "your last message was not recorded"
TURNS = 6

# Cases chosen for answers that do not depend on the machine's load or on earlier turns.
OPENERS = ["d16", "d01", "d03", "d08", "d10", "d12", "p09", "p10", "p22", "d13", "p01", "d05"]
FOLLOW_UPS = ["d15", "e01", "e02", "e19", "p11"]


def _cases() -> dict[str, dict]:
    data = yaml.safe_load((ROOT / "tests/e2e/cases.yml").read_text(encoding="utf-8"))
    return {case["id"]: case for case in data["cases"]}


def conversations() -> list[list[dict]]:
    """Every 6-turn script: opener, follow-up pair, opener, follow-up pair (no text twice)."""
    cases = _cases()
    scripts = []
    pairs = list(itertools.permutations(FOLLOW_UPS, 2))
    for index, (first, second) in enumerate(pairs):
        openers = [OPENERS[index % len(OPENERS)], OPENERS[(index * 5 + 3) % len(OPENERS)]]
        if openers[0] == openers[1]:
            openers[1] = OPENERS[(index * 5 + 4) % len(OPENERS)]
        script = [cases[openers[0]], cases[first], cases[openers[1]], cases[second]]
        texts = [t for case in script for t in case["turns"]]
        if len(texts) == TURNS and len(set(texts)) == TURNS:
            scripts.append(script)
    return scripts


@dataclass
class Turn:
    user: int
    sender: str
    text: str
    start: float  # seconds since the load started
    end: float
    status: int  # HTTP status, 0 for a connection error or a time-out
    outcome: str  # ok | action_apology | store_apology | empty | http_error | timeout | refused
    reply: str = ""

    @property
    def latency(self) -> float:
        return self.end - self.start

    @property
    def acknowledged(self) -> bool:
        """The student got an answer: the message must be in the tracker store."""
        return self.outcome in ("ok", "action_apology")

    @property
    def failed(self) -> bool:
        return not self.acknowledged


@dataclass
class LoadResult:
    label: str
    users: int
    duration: float
    turns: list[Turn] = field(default_factory=list)
    wrong: list[dict] = field(default_factory=list)  # judged cases whose answer failed
    judged: int = 0
    # (sender, case id, time its last answer came, passed) for every judged case
    judgements: list[tuple] = field(default_factory=list)
    elapsed: float = 0.0
    events: dict[str, object] = field(default_factory=dict)  # filled by check_tracker()

    def summary(self) -> dict[str, object]:
        latencies = sorted(t.latency for t in self.turns if t.acknowledged)
        outcomes: dict[str, int] = defaultdict(int)
        for turn in self.turns:
            outcomes[turn.outcome] += 1
        return {
            "label": self.label,
            "users": self.users,
            "duration_s": round(self.elapsed, 1),
            "messages": len(self.turns),
            "conversations": len({t.sender for t in self.turns}),
            "answered": len(latencies),
            "errors": sum(1 for t in self.turns if t.failed),
            "outcomes": dict(outcomes),
            "throughput_msg_s": round(len(latencies) / self.elapsed, 1) if self.elapsed else 0,
            "p50_ms": _percentile_ms(latencies, 0.50),
            "p95_ms": _percentile_ms(latencies, 0.95),
            "p99_ms": _percentile_ms(latencies, 0.99),
            "max_ms": round(1000 * latencies[-1]) if latencies else None,
            "judged_cases": self.judged,
            "wrong_answers": len(self.wrong),
            "wrong_examples": self.wrong[:5],
            **self.events,
        }


def _percentile_ms(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(1000 * values[0])
    return round(1000 * statistics.quantiles(values, n=1000, method="inclusive")[int(q * 1000) - 1])


def classify(status: int, body: object) -> tuple[str, str]:
    if status != 200:
        return "http_error", ""
    reply = flatten(body) if isinstance(body, list) else ""
    if not reply.strip():
        return "empty", reply
    if STORE_APOLOGY in reply:
        return "store_apology", reply
    if reply.startswith(ACTION_APOLOGY):
        return "action_apology", reply
    return "ok", reply


async def _ask(
    session: aiohttp.ClientSession, url: str, sender: str, text: str, timeout: float
) -> tuple[int, str, str]:
    try:
        async with session.post(
            url, json={"sender": sender, "message": text}, timeout=timeout
        ) as response:
            status = response.status
            body = await response.json(content_type=None) if status == 200 else None
        outcome, reply = classify(status, body)
        return status, outcome, reply
    except asyncio.TimeoutError:
        return 0, "timeout", ""
    except (aiohttp.ClientError, ValueError, OSError):
        return 0, "refused", ""


async def _student(
    user: int,
    session: aiohttp.ClientSession,
    url: str,
    result: LoadResult,
    started: float,
    prefix: str,
    scripts: list[list[dict]],
    think: float,
    timeout: float,
) -> None:
    for number in itertools.count():
        script = scripts[(user * 7 + number) % len(scripts)]
        sender = f"{prefix}-{user:03d}-{number:04d}-{uuid.uuid4().hex[:6]}"
        for case in script:
            replies, ok = [], True
            for text in case["turns"]:
                if time.perf_counter() - started >= result.duration:
                    return
                start = time.perf_counter() - started
                status, outcome, reply = await _ask(session, url, sender, text, timeout)
                end = time.perf_counter() - started
                turn = Turn(user, sender, text, start, end, status, outcome, reply[:300])
                result.turns.append(turn)
                replies.append(reply)
                ok = ok and outcome == "ok"
                if think:
                    await asyncio.sleep(think)
            if ok:  # judged only when every turn was answered: an error explains itself
                result.judged += 1
                why = judge(case, replies[-1])
                result.judgements.append((sender, case["id"], result.turns[-1].end, not why))
                if why:
                    result.wrong.append({"case": case["id"], "sender": sender, "why": why})


async def run_load(
    url: str,
    users: int,
    duration: float,
    label: str,
    prefix: str | None = None,
    think: float = 0.0,
    timeout: float = 30.0,
) -> LoadResult:
    """`users` students, each holding conversation after conversation for `duration` seconds."""
    result = LoadResult(label, users, duration)
    prefix = prefix or f"soak-{uuid.uuid4().hex[:8]}"
    scripts = conversations()
    connector = aiohttp.TCPConnector(limit=users + 10)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        result.started_at = time.time()  # type: ignore[attr-defined]
        await asyncio.gather(
            *(
                _student(u, session, url, result, started, prefix, scripts, think, timeout)
                for u in range(users)
            )
        )
        result.elapsed = time.perf_counter() - started
    result.prefix = prefix  # type: ignore[attr-defined]
    return result


def stored_user_messages(database_url: str, prefix: str) -> dict[str, list[str]]:
    """What the tracker store holds: each conversation's user messages, in stored order."""
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT sender_id, data FROM events WHERE type_name = 'user' "
                    "AND sender_id LIKE :prefix ORDER BY id"
                ),
                {"prefix": f"{prefix}-%"},
            ).fetchall()
    finally:
        engine.dispose()
    stored: dict[str, list[str]] = defaultdict(list)
    for sender, data in rows:
        stored[sender].append(json.loads(data).get("text"))
    return stored


def check_tracker(result: LoadResult, database_url: str) -> dict[str, object]:
    """Lost: an acknowledged message missing from its conversation (or out of order).
    Phantom: a stored message that was never sent. In doubt: a failed message (the student saw
    an error) that was stored anyway. Texts are distinct within a conversation, so a greedy
    walk over sent and stored messages is exact."""
    stored = stored_user_messages(database_url, result.prefix)  # type: ignore[attr-defined]
    sent: dict[str, list[Turn]] = defaultdict(list)
    for turn in sorted(result.turns, key=lambda t: t.start):
        sent[turn.sender].append(turn)
    lost = phantom = in_doubt = 0
    examples: list[dict] = []
    for sender, turns in sent.items():
        messages, position = stored.get(sender, []), 0
        for turn in turns:
            if position < len(messages) and messages[position] == turn.text:
                position += 1
                in_doubt += turn.failed
            elif turn.acknowledged:
                lost += 1
                if len(examples) < 5:
                    examples.append({"sender": sender, "lost": turn.text, "stored": messages})
        phantom += len(messages) - position
    phantom += sum(len(m) for s, m in stored.items() if s not in sent)
    result.events = {
        "stored_messages": sum(len(m) for m in stored.values()),
        "lost_events": lost,
        "phantom_events": phantom,
        "failed_but_stored": in_doubt,
        "lost_examples": examples,
    }
    return result.events


def timeline(result: LoadResult, bucket: float = 1.0) -> list[dict[str, object]]:
    """Per-second figures (by completion time): answered, failed, p95 latency."""
    buckets: dict[int, list[Turn]] = defaultdict(list)
    for turn in result.turns:
        buckets[int(turn.end // bucket)].append(turn)
    rows = []
    for second in sorted(buckets):
        turns = buckets[second]
        latencies = sorted(t.latency for t in turns)
        rows.append(
            {
                "t": second * bucket,
                "answered": sum(t.acknowledged for t in turns),
                "failed": sum(t.failed for t in turns),
                "apologies": sum(t.outcome == "action_apology" for t in turns),
                "p95_ms": _percentile_ms(latencies, 0.95),
            }
        )
    return rows


async def widget_conversation(
    front: str,
    turns: Sequence[str] = ("Tell me about the CRENG project", "Who is the coordinator?"),
) -> str:
    """What a browser does: load the page through nginx (which sets the affinity cookie), then
    hold a conversation over socket.io long-polling (each poll a separate request through
    nginx). Returns the text of the last answer."""
    import socketio

    from tests.rasa_server.channels.widget_client import WidgetClient

    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        async with http.get(f"{front}/") as page:
            assert page.status == 200
        assert "beu_affinity" in {cookie.key for cookie in jar}
        client = WidgetClient(front, front)
        client.client = socketio.AsyncClient(reconnection=False, http_session=http)
        client.client.on("bot_uttered", client.replies.put_nowait)
        await client.client.connect(
            front, headers={"Origin": front}, transports=["polling"], wait_timeout=10
        )
        try:
            session = await client.session()
            answer: list[dict] = []
            for text in turns:
                answer = await client.ask(text, session)
        finally:
            await client.client.disconnect()
            # socket.io disconnects without waiting for engine.io to post its close packet;
            # let it go out on this session (with the cookie) before the session closes.
            writer = getattr(client.client.eio, "write_loop_task", None)
            if writer:
                await asyncio.wait_for(writer, 5)
    return " ".join(str(event.get("text", "")) for event in answer)


def socketio_sessions(access_log: Path) -> dict[str, set]:
    """engine.io session id → the upstreams its requests reached (nginx's access log)."""
    import re

    time.sleep(1.2)  # nginx flushes its access log every second
    sessions: dict[str, set] = defaultdict(set)
    for line in access_log.read_text().splitlines():
        found = re.search(r"/socket\.io/\S*[?&]sid=([^&\s]+).* upstream=(\S+)", line)
        if found:
            sessions[found.group(1)].add(found.group(2))
    return sessions


def turns_as_dicts(result: LoadResult) -> list[dict[str, object]]:
    return [asdict(t) for t in result.turns]
