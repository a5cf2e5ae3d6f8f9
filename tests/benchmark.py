"""`make bench`: our assistant against stock Rasa (the `rasa init` config) on the same data.

Both models are served the same way (bot.ops.processes), with the same action server, and
measured in the same run: REST latency p50/p95 for 1 user and for 20 concurrent conversations,
throughput, resident memory of both servers, intent F1 on the held-out NLU set, and training
time from scratch. Figures are printed and written to results/bench.json; nothing here asserts
a target, because timings belong in a report, not in tests that flake.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Dict, List

import aiohttp

from bot.ops.processes import Servers
from tests.proc import cpu_seconds, rss_mb
from tests.system import free_port

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "results"
STOCK_CONFIG = ROOT / "build" / "stock_config.yml"
STOCK_ENDPOINTS = ROOT / "build" / "stock_endpoints.yml"


def held_out_questions(*files: str) -> List[str]:
    """The held-out test questions, in a fixed shuffled order: varied like real traffic, so
    neither model is measured on a handful of repeated sentences."""
    import random

    import yaml

    questions = []
    for name in files or ("test_nlu.yml",):
        data = yaml.safe_load((ROOT / "tests/nlu" / name).read_text(encoding="utf-8"))
        questions += [
            line.strip()[2:]
            for block in data["nlu"]
            for line in block["examples"].splitlines()
            if line.strip().startswith("- ")
        ]
    random.Random(42).shuffle(questions)
    return questions


QUESTIONS = held_out_questions()  # English (347)
# Azerbaijani, Russian and Turkish held-out questions, and the whole mix of four languages.
OTHER_LANGUAGES = held_out_questions("test_nlu_az.yml", "test_nlu_ru.yml", "test_nlu_tr.yml")
ALL_LANGUAGES = held_out_questions(
    "test_nlu.yml", "test_nlu_az.yml", "test_nlu_ru.yml", "test_nlu_tr.yml"
)


def multi_question_messages() -> List[str]:
    """Messages that ask several things at once (tests/realworld/cases.yml, category multi)."""
    import yaml

    cases = yaml.safe_load((ROOT / "tests/realworld/cases.yml").read_text(encoding="utf-8"))
    return [c["turns"][-1] for c in cases["cases"] if c["cat"] == "multi"]


MULTI_QUESTIONS = multi_question_messages()
TURNS_PER_CONVERSATION = 6


def rasa_cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false"}
    return subprocess.run(
        [sys.executable, "-m", "rasa", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def train(config: Path, name: str, out: Path) -> float:
    """Train from scratch; seconds taken."""
    start = time.perf_counter()
    result = rasa_cli(
        "train", "--config", str(config), "--domain", "domain.yml", "--data", "data",
        "--out", str(out), "--fixed-model-name", name, "--force",
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(
            f"training {name} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
        )
    return time.perf_counter() - start


def _stock_fingerprint(config: Path) -> str:
    from bot.offline.training import fingerprint

    files = [config, ROOT / "domain.yml", *sorted((ROOT / "data").rglob("*.yml"))]
    return fingerprint(files)


def cached_training_time(name: str, config: Path, model: Path) -> float | None:
    """Only stock Rasa is reused: ours is always retrained, to report its training time."""
    record = model.parent / f"{name}.json"
    if name != "stock" or not model.exists() or not record.exists():
        return None
    saved = json.loads(record.read_text())
    return saved["train_s"] if saved["fingerprint"] == _stock_fingerprint(config) else None


def remember_training(name: str, fingerprint: str, seconds: float) -> None:
    """`fingerprint` must be taken before training: Rasa writes its defaults back into an
    empty-pipeline config file while training."""
    if name == "stock":
        record = ROOT / "build" / "bench-models" / f"{name}.json"
        record.write_text(json.dumps({"fingerprint": fingerprint, "train_s": seconds}))


def stock_config() -> Path:
    """The config `rasa init` writes (empty pipeline and policies: Rasa fills in its defaults)."""
    import rasa

    STOCK_CONFIG.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(rasa.__file__).parent / "cli/initial_project/config.yml", STOCK_CONFIG)
    return STOCK_CONFIG


def nlu_f1(model: Path) -> float:
    out = RESULTS / f"bench-nlu-{model.stem}"
    result = rasa_cli(
        "test", "nlu", "--nlu", "tests/nlu/test_nlu.yml", "--model", str(model), "--out", str(out)
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    report = json.loads((out / "intent_report.json").read_text())
    return report["weighted avg"]["f1-score"]


async def conversation(
    session: aiohttp.ClientSession,
    url: str,
    turns: int,
    offset: int,
    questions: List[str] = QUESTIONS,
) -> List[float]:
    sender = f"bench-{uuid.uuid4().hex[:10]}"
    latencies = []
    for turn in range(turns):
        text = questions[(offset + turn) % len(questions)]
        if turn and turn % TURNS_PER_CONVERSATION == 0:
            sender = f"bench-{uuid.uuid4().hex[:10]}"
        start = time.perf_counter()
        async with session.post(url, json={"sender": sender, "message": text}) as response:
            body = await response.json()
            if response.status != 200 or not body:
                raise RuntimeError(f"bad reply {response.status} {body!r} to {text!r}")
        latencies.append(time.perf_counter() - start)
    return latencies


async def load(
    url: str, users: int, turns: int, questions: List[str] = QUESTIONS
) -> Dict[str, float]:
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        await conversation(session, url, 12, 0, questions)  # warm-up, not measured
        start = time.perf_counter()
        results = await asyncio.gather(
            *(conversation(session, url, turns, 12 + i * turns, questions) for i in range(users))
        )
        elapsed = time.perf_counter() - start
    latencies = sorted(x for r in results for x in r)
    return {
        "messages": len(latencies),
        "p50_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
        "throughput_msg_s": len(latencies) / elapsed,
    }


def measure(model: Path, turns_single: int, turns_each: int, stock: bool) -> Dict[str, object]:
    """Serve the model the way its users would: ours via `make run`'s launcher, stock via plain
    `rasa run` with the default endpoint settings, except the tracker store: both keep
    conversations in the same SQLite tracker store (the default profile's,
    bot/rasa_server/tracker_store.py), each in a fresh file, so the comparison is about the
    assistants, not where they write."""
    logs = RESULTS / f"bench-logs-{model.stem}"
    logs.mkdir(parents=True, exist_ok=True)
    for stale in logs.glob("tracker.sqlite3*"):
        stale.unlink()
    if stock:
        STOCK_ENDPOINTS.write_text(
            "action_endpoint:\n  url: ${ACTION_SERVER_URL}\n"
            "tracker_store:\n  type: bot.rasa_server.tracker_store.DurableSQLTrackerStore\n"
            "  url: ${TRACKER_STORE_URL}\n"
        )
    servers = Servers(
        free_port(),
        free_port(),
        str(model),
        {"TRACKER_STORE_URL": f"sqlite:///{logs / 'tracker.sqlite3'}"},
        log_dir=logs,
        stock=stock,
        endpoints=str(STOCK_ENDPOINTS) if stock else "endpoints.yml",
    )

    servers.start()
    try:
        actions, rasa = servers.processes
        single = asyncio.run(load(servers.webhook, 1, turns_single))
        several = asyncio.run(load(servers.webhook, 1, len(MULTI_QUESTIONS), MULTI_QUESTIONS))
        other = asyncio.run(load(servers.webhook, 1, turns_single, OTHER_LANGUAGES))
        other_20 = asyncio.run(load(servers.webhook, 20, turns_each, OTHER_LANGUAGES))
        mix_20 = asyncio.run(load(servers.webhook, 20, turns_each, ALL_LANGUAGES))
        before = cpu_seconds(rasa.pid), cpu_seconds(actions.pid)
        concurrent = asyncio.run(load(servers.webhook, 20, turns_each))
        after = cpu_seconds(rasa.pid), cpu_seconds(actions.pid)
        messages = concurrent["messages"] + 12  # and the unmeasured warm-up conversation
        memory = {"rasa_rss_mb": rss_mb(rasa.pid), "actions_rss_mb": rss_mb(actions.pid)}
    finally:
        servers.stop()
    cpu = {
        "rasa_cpu_ms_per_message": 1000 * (after[0] - before[0]) / messages,
        "actions_cpu_ms_per_message": 1000 * (after[1] - before[1]) / messages,
    }
    return {
        "single_user": single,
        "several_questions": several,
        "concurrent_20": concurrent,
        "single_user_other": other,
        "concurrent_20_other": other_20,
        "concurrent_20_mix": mix_20,
        **cpu,
        **memory,
    }


def retrieval_cost() -> Dict[str, float]:
    """What the fact retrieval costs when a question needs it (bot/understanding/facts.py):
    CPU per call on one thread, over the real-world messages; and how many of those messages'
    questions reach it (the rest are answered without it)."""
    from bot.understanding.facts import fact_index, find_facts
    from bot.understanding.split import split_questions

    fact_index()
    texts = [p.text for m in MULTI_QUESTIONS for p in split_questions(m).parts] or MULTI_QUESTIONS
    start = time.process_time()
    for text in texts:
        find_facts(text)
    per_call = 1000 * (time.process_time() - start) / len(texts)
    return {"fact_retrieval_cpu_ms_per_call": per_call, "calls_measured": len(texts)}


def table(ours: Dict, stock: Dict) -> str:
    rows = [
        ("intent weighted F1 (held-out)", "f1", "{:.3f}", True),
        ("training from scratch (s)", "train_s", "{:.0f}", False),
        ("1 user: p50 latency (ms)", ("single_user", "p50_ms"), "{:.0f}", False),
        ("1 user: p95 latency (ms)", ("single_user", "p95_ms"), "{:.0f}", False),
        ("1 user, several questions: p50", ("several_questions", "p50_ms"), "{:.0f}", False),
        ("1 user, several questions: p95", ("several_questions", "p95_ms"), "{:.0f}", False),
        ("20 users: p50 latency (ms)", ("concurrent_20", "p50_ms"), "{:.0f}", False),
        ("20 users: p95 latency (ms)", ("concurrent_20", "p95_ms"), "{:.0f}", False),
        ("20 users: throughput (msg/s)", ("concurrent_20", "throughput_msg_s"), "{:.1f}", True),
        ("az/ru/tr, 1 user: p50 (ms)", ("single_user_other", "p50_ms"), "{:.0f}", False),
        ("az/ru/tr, 1 user: p95 (ms)", ("single_user_other", "p95_ms"), "{:.0f}", False),
        ("az/ru/tr, 20 users: msg/s", ("concurrent_20_other", "throughput_msg_s"), "{:.1f}", True),
        (
            "4-language mix, 20 users: msg/s",
            ("concurrent_20_mix", "throughput_msg_s"),
            "{:.1f}",
            True,
        ),
        ("Rasa server CPU per message (ms)", "rasa_cpu_ms_per_message", "{:.1f}", False),
        ("action server CPU / message (ms)", "actions_cpu_ms_per_message", "{:.1f}", False),
        ("Rasa server RSS (MB)", "rasa_rss_mb", "{:.0f}", False),
        ("action server RSS (MB)", "actions_rss_mb", "{:.0f}", False),
    ]
    lines = [f"{'':32s}{'ours':>10s}{'stock':>10s}{'ours/stock':>12s}"]
    for label, key, fmt, _higher_is_better in rows:
        get = (
            (lambda d, k=key: d[k[0]][k[1]]) if isinstance(key, tuple) else (lambda d, k=key: d[k])
        )
        a, b = get(ours), get(stock)
        lines.append(f"{label:32s}{fmt.format(a):>10s}{fmt.format(b):>10s}{a / b:>11.2f}x")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns-single", type=int, default=60)
    parser.add_argument("--turns-each", type=int, default=24, help="messages per concurrent user")
    parser.add_argument(
        "--retrain-stock",
        dest="reuse_stock",
        action="store_false",
        help="train stock Rasa again even if its inputs are unchanged (it takes minutes)",
    )
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    work = ROOT / "build" / "bench-models"
    figures: Dict[str, Dict] = {}
    for name, config in (("ours", ROOT / "config.yml"), ("stock", stock_config())):
        model = work / f"{name}.tar.gz"
        seconds = cached_training_time(name, config, model) if args.reuse_stock else None
        if seconds is None:
            print(f"== {name}: training from scratch", flush=True)
            before = _stock_fingerprint(config)
            seconds = train(config, name, work)
            remember_training(name, before, seconds)
        else:
            print(f"== {name}: inputs unchanged, reusing the model trained in {seconds:.0f}s")
        print(f"   trained in {seconds:.0f}s; NLU test", flush=True)
        figures[name] = {"train_s": seconds, "f1": nlu_f1(model)}
        print("   serving and measuring", flush=True)
        figures[name].update(measure(model, args.turns_single, args.turns_each, name == "stock"))
    figures["ours"]["retrieval"] = retrieval_cost()
    report = table(figures["ours"], figures["stock"])
    report += (
        "\nfact retrieval (ours only): "
        f"{figures['ours']['retrieval']['fact_retrieval_cpu_ms_per_call']:.1f} ms CPU per call, "
        "run only for questions that name no subject"
    )
    print("\n" + report)
    (RESULTS / "bench.json").write_text(json.dumps(figures, indent=1))
    (RESULTS / "bench.txt").write_text(report + "\n")
    print(f"\nwritten to {RESULTS / 'bench.json'}")


if __name__ == "__main__":
    main()
