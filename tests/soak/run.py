"""`make soak`: load and faults against the scaled profile, the same load against the default
profile, figures printed and written to results/soak.json.

    python -m tests.soak.run [--users 50] [--duration 60] [--fault-duration 40]
                             [--faults kill-rasa,...|none] [--skip-default] [--sweep 5,10,20,30]
                             [--messenger on|off|only]
                             [--skip-scaled]

Phases, one after the other, each with `users` students holding 6-turn conversations through
nginx (tests/soak/load.py):
  load             no fault, `duration` seconds
  kill-rasa        SIGKILL one Rasa replica at t=10 s (its conversations must go on on the other)
  kill-actions     SIGKILL one action server at t=10 s (answers go on; in-flight calls apologise)
  restart-redis    Redis restarted at t=10 s (no conversation may stay locked)
  restart-postgres PostgreSQL restarted (fast shutdown) at t=10 s (retried: latency, no loss)
  postgres-outage  PostgreSQL stopped for 15 s at t=10 s, longer than the 10-s retry budget:
                   clear failures ("not recorded, send it again"), then automatic recovery
  lock-staff-db    the staff database's inbox, handoff, FAQ and settings tables locked
                   (ACCESS EXCLUSIVE) for 15 s at t=10 s; unanswerable probe questions and a
                   handoff are sent meanwhile: their latency, the handoff's reply, and whether
                   each probe reaches the inbox exactly once after the lock (and how soon)
  lock-tracker     the tracker store locked against writes for 12 s at t=10 s by another
                   session (PostgreSQL: LOCK TABLE events; in the default profile too, SQLite:
                   BEGIN EXCLUSIVE): each message waits at most 5 s, then gets the apology alone
  default          the default profile (one process each, SQLite), `duration` seconds, then a
                   sweep of 5/10/20/30 students (20 s each): where one replica saturates
  messenger        duplicate and slow Messenger deliveries: a hanging Send API, a replica killed
                   (tests/soak/messenger_drill.py); `--messenger only` runs just this drill
  supervised-default, supervised-scaled
                   each profile through the real supervisor (`python -m bot serve`): every
                   child SIGKILLed in turn under load, `fault-duration` s each
                   (tests/soak/supervised.py). `--only supervised-default,...` runs just those.
After each phase: every acknowledged message must be in the tracker store, in order.
Killed servers are started again between phases. Everything runs on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sqlite3
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from bot.ops.processes import Servers
from bot.ops.scaled import ScaledProfile
from bot.rasa_server.retry import STORE_APOLOGY
from tests.rasa_server.channels.fake_graph import FakeGraph
from tests.soak import messenger_drill, stack
from tests.soak.load import (
    LoadResult,
    check_tracker,
    run_load,
    socketio_sessions,
    timeline,
    widget_conversation,
)

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "results"
WORK = ROOT / "build" / "soak"
FAULT_AT = 10.0
WARM_UP_S = 15.0  # first answers trace TensorFlow graphs and fill caches: not measured


def _kill(role: str) -> Callable[[ScaledProfile], None]:
    def inject(profile: ScaledProfile) -> None:
        os.kill(profile.process(role, 1).pid, signal.SIGKILL)

    return inject


def _restart_redis(profile: ScaledProfile) -> None:
    assert profile.redis
    profile.redis.restart()


def _restart_postgres(profile: ScaledProfile) -> None:
    assert profile.postgres
    profile.postgres.restart()


OUTAGE_S = 15.0  # longer than the stores' 10-s retry budget


def _postgres_outage(profile: ScaledProfile) -> None:
    """PostgreSQL away for longer than the retry budget: messages must fail clearly (the
    student is told the message was not recorded), then recovery must be automatic."""
    assert profile.postgres
    profile.postgres.stop()
    time.sleep(OUTAGE_S)
    profile.postgres.start()


STAFF_LOCK_S = 15.0
STAFF_PROBES = 10
HANDOFF_REPLIES = {  # bot/answers/handoff.py: what the student is told, by what happened
    "passed our conversation on": "stored",
    "saved our conversation": "queued",
    "can't pass our conversation on": "not possible",
}
DRILL_FIGURES: dict[str, dict] = {}  # a drill's own figures, added to its phase's cost


def _lock_staff_db(profile: ScaledProfile) -> None:
    """The staff tables locked for STAFF_LOCK_S while students keep asking; probes meanwhile."""
    from sqlalchemy import select, text
    from sqlalchemy.future import create_engine

    from bot.staff_db import tables as t
    from bot.staff_db.db import make_engine
    from bot.staff_db.inbox import Inbox
    from tests.servers import ask

    tag = uuid.uuid4().hex[:8]
    probes = [f"Can I bring my cat {tag}x{i} to the dormitory?" for i in range(STAFF_PROBES)]
    latencies, apologies, handoff = [], 0, "no reply"
    locker = create_engine(profile.staff_url, future=True)
    with locker.connect() as connection:
        lock = connection.begin()
        connection.execute(
            text("LOCK TABLE unanswered, handoffs, faq_entries, settings IN ACCESS EXCLUSIVE MODE")
        )
        locked_at = time.monotonic()
        for number, probe in enumerate(probes):
            started = time.monotonic()
            replies = ask(profile.webhook, f"soak-staff-{tag}-{number}", probe)
            latencies.append(time.monotonic() - started)
            apologies += any("can't look that up" in (r.get("text") or "") for r in replies)
        said = " ".join(
            r.get("text") or "" for r in ask(profile.webhook, f"soak-h-{tag}", "/request_human")
        )
        handoff = next((v for k, v in HANDOFF_REPLIES.items() if k in said), said[:80] or "none")
        time.sleep(max(0.0, STAFF_LOCK_S - (time.monotonic() - locked_at)))
        lock.rollback()
    released = time.monotonic()
    locker.dispose()
    staff = make_engine(profile.staff_url)
    inbox, landed = Inbox(staff), {p: 0 for p in probes}
    asked = select(t.unanswered.c.text).where(t.unanswered.c.text.in_(probes))
    while time.monotonic() - released < 60:
        with staff.connect() as connection:
            texts = list(connection.execute(asked).scalars())
        landed = {p: texts.count(p) for p in probes}
        if all(landed.values()):
            break
        time.sleep(0.5)
    recovered_s = time.monotonic() - released
    handoff_sender = inbox.hash_sender(f"soak-h-{tag}")
    stored = [h for h in inbox.list_handoffs(None) if h.sender_hash == handoff_sender]
    staff.dispose()
    DRILL_FIGURES["lock-staff-db"] = {
        "staff_lock_s": STAFF_LOCK_S,
        "probe_questions": len(probes),
        "probe_max_ms": round(1000 * max(latencies)),
        "probe_apologies": apologies,
        "handoff_reply": handoff,
        "handoffs_stored_after": len(stored),
        "inbox_landed_once": sum(n == 1 for n in landed.values()),
        "inbox_duplicated": sum(n > 1 for n in landed.values()),
        "inbox_lost": sum(n == 0 for n in landed.values()),
        "inbox_recovered_s_after_release": round(recovered_s, 1),
    }


TRACKER_LOCKED_S = 12.0


def _lock_postgres_tracker(profile: ScaledProfile) -> None:
    """Another session (say, maintenance) holds the events table against writes; reads go on."""
    engine = sa.create_engine(profile.tracker_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("LOCK TABLE events IN EXCLUSIVE MODE"))
            time.sleep(TRACKER_LOCKED_S)
    finally:
        engine.dispose()


def _lock_sqlite_tracker(database: Path) -> None:
    """Another process holds the SQLite file's write lock (the issue's reproduction)."""
    connection = sqlite3.connect(database, isolation_level=None)
    try:
        connection.execute("BEGIN EXCLUSIVE")
        time.sleep(TRACKER_LOCKED_S)
        connection.execute("ROLLBACK")
    finally:
        connection.close()


def lock_cost(result: LoadResult, fault_t: float, baseline: dict) -> dict[str, object]:
    """fault_cost, plus what a locked store must never cause: a reply that holds both an answer
    and the apology, or a wait longer than the 5-s budget (+1 s margin) for the apology."""
    cost = fault_cost(result, fault_t, baseline, TRACKER_LOCKED_S)
    apologies = [t for t in result.turns if t.outcome == "store_apology"]
    cost["store_apologies"] = len(apologies)
    cost["double_replies"] = sum(
        bool(t.reply.replace(STORE_APOLOGY, "").strip()) for t in apologies
    )
    cost["max_apology_ms"] = round(1000 * max((t.latency for t in apologies), default=0))
    cost["apologies_over_6_s"] = sum(t.latency > 6.0 for t in apologies)
    return cost


FAULTS: dict[str, Callable[[ScaledProfile], None]] = {
    "kill-rasa": _kill("rasa"),
    "kill-actions": _kill("actions"),
    "restart-redis": _restart_redis,
    "restart-postgres": _restart_postgres,
    "postgres-outage": _postgres_outage,
    "lock-staff-db": _lock_staff_db,
    "lock-tracker": _lock_postgres_tracker,
}
RESTORE = {"kill-rasa": "rasa", "kill-actions": "actions"}


async def _phase(
    profile: ScaledProfile, users: int, duration: float, label: str, fault: str | None
) -> tuple[LoadResult, float | None]:
    load = asyncio.create_task(run_load(profile.webhook, users, duration, label))
    fault_at = None
    if fault:
        await asyncio.sleep(FAULT_AT)
        started = time.time()
        await asyncio.to_thread(FAULTS[fault], profile)
        fault_at = started
    result = await load
    return result, (fault_at - result.started_at) if fault_at else None  # type: ignore[attr-defined]


def fault_cost(
    result: LoadResult, fault_t: float, baseline: dict, lock_lifetime: float
) -> dict[str, object]:
    """What the fault cost: failed messages, apologies, latency during the disturbance, and
    seconds from the fault to the last failed or abnormally slow answer (apologies are counted
    apart: under saturation they also come from load alone, see the baseline's rate)."""
    spike = max(2 * (baseline.get("p99_ms") or 0) / 1000, 1.0)
    after = [t for t in result.turns if t.end >= fault_t]
    failed = [t for t in after if t.failed]
    slow = [t for t in after if t.latency > spike]
    apologies = [t for t in after if t.outcome == "action_apology"]
    recovered = max((t.end for t in failed + slow), default=fault_t)
    lat = sorted(t.latency for t in after if t.start <= recovered)
    window = max(result.elapsed - fault_t, 1e-9)
    base_apologies = baseline.get("outcomes", {}).get("action_apology", 0)
    answered_later = {
        t.user for t in after if t.acknowledged and t.start >= fault_t + lock_lifetime
    }
    spanning = {t.sender for t in result.turns if t.start < fault_t} & {t.sender for t in after}
    followups = [j for j in result.judgements if j[0] in spanning and j[2] >= fault_t]
    return {
        "fault_at_s": round(fault_t, 1),
        # conversations under way when the fault hit, and their cases answered afterwards
        # (REST is round-robin: consecutive turns reach different replicas all the time)
        "conversations_spanning_fault": len(spanning),
        "their_cases_judged_after_fault": len(followups),
        "their_wrong_answers_after_fault": sum(not j[3] for j in followups),
        "last_failure_s": round(max(t.end for t in failed) - fault_t, 1) if failed else None,
        "failed_messages": len(failed),
        "failed_by_kind": {
            kind: n
            for kind in ("http_error", "timeout", "refused", "empty", "store_apology")
            if (n := sum(t.outcome == kind for t in failed))
        },
        "seconds_to_recover": round(recovered - fault_t, 1),
        "slow_threshold_ms": round(1000 * spike),
        "slow_messages": len(slow),
        "p95_ms_until_recovered": round(1000 * lat[int(0.95 * (len(lat) - 1))]) if lat else None,
        "max_ms_until_recovered": round(1000 * lat[-1]) if lat else None,
        "baseline_p95_ms": baseline.get("p95_ms"),
        "action_apologies": len(apologies),
        "action_apologies_per_min": round(60 * len(apologies) / window, 1),
        "baseline_action_apologies_per_min": round(
            60 * base_apologies / max(baseline.get("duration_s") or 1, 1), 1
        ),
        "last_apology_s": round(max(t.end for t in apologies) - fault_t, 1) if apologies else None,
        # No conversation stays locked: every student got answers again once the ticket
        # lifetime had passed (and no request was left hanging: the phase ended on time).
        "students_answered_after_lock_lifetime": len(answered_later),
    }


def _print_row(summary: dict) -> None:
    print(
        f"  {summary['label']:18s} {summary['messages']:6d} msgs  "
        f"{summary['throughput_msg_s']:6.1f} msg/s  p50 {summary['p50_ms']} ms  "
        f"p95 {summary['p95_ms']} ms  p99 {summary['p99_ms']} ms  errors {summary['errors']}  "
        f"lost {summary.get('lost_events')}  wrong {summary['wrong_answers']}",
        flush=True,
    )


def sticky_widgets(profile: ScaledProfile, count: int) -> dict:
    """`count` browsers (own affinity cookie each) hold a follow-up conversation over socket.io
    long-polling: every session's requests must stay on one replica, and context must hold."""

    async def widgets() -> list:
        return await asyncio.gather(
            *(widget_conversation(profile.front) for _ in range(count)), return_exceptions=True
        )

    replies = asyncio.run(widgets())
    sessions = socketio_sessions(profile.var_dir / "nginx" / "access.log")
    return {
        "widgets": count,
        "answered_in_context": sum(isinstance(r, str) and "Warsaw" in r for r in replies),
        "failed": [repr(r)[:200] for r in replies if not isinstance(r, str)],
        "sessions": len(sessions),
        "replicas_used": len(set().union(*sessions.values())) if sessions else 0,
        "sessions_split_across_replicas": sum(len(v) > 1 for v in sessions.values()),
    }


def scaled_phases(
    users: int,
    duration: float,
    fault_duration: float,
    faults: list[str],
    lock_lifetime: int,
    messenger: str = "on",
) -> dict[str, dict]:
    figures: dict[str, dict] = {}
    print("== scaled profile: starting PostgreSQL, Redis, nginx, 2+2 servers", flush=True)
    started = time.monotonic()
    graph = FakeGraph()  # the Graph API the Messenger drill's answers go to
    profile = stack.scaled(
        WORK / "scaled", lock_lifetime=lock_lifetime, env=messenger_drill.messenger_env(graph)
    )
    figures["startup_s"] = round(time.monotonic() - started, 1)
    try:
        if messenger == "only":
            figures["messenger"] = messenger_drill.drill(profile, graph)
            return figures
        pids = stack.processes(profile)
        asyncio.run(run_load(profile.webhook, 10, WARM_UP_S, "warm-up"))
        cpu_before = stack.cpu(pids)
        result, _ = asyncio.run(_phase(profile, users, duration, "load", None))
        cpu_after = stack.cpu(pids)
        check_tracker(result, profile.tracker_url)
        baseline = result.summary()
        baseline["cpu_ms_per_message"] = {
            name: round(
                1000 * (cpu_after[name] - cpu_before[name]) / max(baseline["answered"], 1), 1
            )
            for name in cpu_after
            if name in cpu_before
        }
        baseline["rss_mb"] = stack.memory(pids)
        baseline["timeline"] = timeline(result)
        figures["load"] = baseline
        _print_row(baseline)
        figures["socketio"] = sticky_widgets(profile, 8)
        print(f"  socket.io through nginx: {json.dumps(figures['socketio'])}", flush=True)
        for fault in faults:
            result, fault_t = asyncio.run(_phase(profile, users, fault_duration, fault, fault))
            check_tracker(result, profile.tracker_url)
            summary = result.summary()
            if fault == "lock-tracker":
                summary["cost"] = lock_cost(result, fault_t or FAULT_AT, baseline)
            else:
                summary["cost"] = fault_cost(result, fault_t or FAULT_AT, baseline, lock_lifetime)
            summary["cost"].update(DRILL_FIGURES.pop(fault, {}))
            summary["timeline"] = timeline(result)
            figures[fault] = summary
            _print_row(summary)
            print(f"    cost: {json.dumps(summary['cost'])}", flush=True)
            if fault in RESTORE:
                profile.restart(RESTORE[fault], 1)
        if messenger == "on":
            figures["messenger"] = messenger_drill.drill(profile, graph)
    finally:
        profile.stop()
        graph.close()
    return figures


def default_lock_drill(
    servers: Servers, database: Path, users: int, seconds: float, baseline: dict
) -> dict:
    """lock-tracker in the default profile: SQLite's write lock held by another process."""

    async def drill() -> tuple[LoadResult, float]:
        load = asyncio.create_task(run_load(servers.webhook, users, seconds, "lock-tracker"))
        await asyncio.sleep(FAULT_AT)
        started = time.time()
        await asyncio.to_thread(_lock_sqlite_tracker, database)
        result = await load
        return result, started - result.started_at  # type: ignore[attr-defined]

    result, fault_t = asyncio.run(drill())
    check_tracker(result, f"sqlite:///{database}")
    summary = result.summary()
    summary["cost"] = lock_cost(result, fault_t, baseline)
    summary["timeline"] = timeline(result)
    _print_row(summary)
    print(f"    cost: {json.dumps(summary['cost'])}", flush=True)
    return summary


def default_phase(
    users: int,
    duration: float,
    sweep: list[int],
    sweep_s: float,
    faults: tuple[str, ...] = (),
    fault_duration: float = 40,
) -> dict:
    print("== default profile: one Rasa server, one action server, SQLite", flush=True)
    root = WORK / "default"
    servers = stack.default(root)
    try:
        pids = stack.servers_pids(servers)
        asyncio.run(run_load(servers.webhook, 10, WARM_UP_S, "warm-up"))
        cpu_before = stack.cpu(pids)
        result = asyncio.run(run_load(servers.webhook, users, duration, "default"))
        cpu_after = stack.cpu(pids)
        check_tracker(result, f"sqlite:///{root / 'tracker.sqlite3'}")
        summary = result.summary()
        summary["cpu_ms_per_message"] = {
            name: round(
                1000 * (cpu_after[name] - cpu_before[name]) / max(summary["answered"], 1), 1
            )
            for name in cpu_after
        }
        summary["rss_mb"] = stack.memory(pids)
        summary["timeline"] = timeline(result)
        _print_row(summary)
        if "lock-tracker" in faults:
            summary["lock-tracker"] = default_lock_drill(
                servers, root / "tracker.sqlite3", users, fault_duration, summary
            )
        summary["sweep"] = []
        for users in sweep:  # where does one replica saturate?
            step = asyncio.run(run_load(servers.webhook, users, sweep_s, f"default x{users}"))
            check_tracker(step, f"sqlite:///{root / 'tracker.sqlite3'}")
            row = step.summary()
            _print_row(row)
            summary["sweep"].append(
                {
                    key: row[key]
                    for key in (
                        "users",
                        "throughput_msg_s",
                        "p50_ms",
                        "p95_ms",
                        "p99_ms",
                        "errors",
                        "lost_events",
                    )
                }
                | {"action_apologies": row["outcomes"].get("action_apology", 0)}
            )
    finally:
        servers.stop()
    return summary


def capacity(figures: dict) -> dict[str, object]:
    """Sizing figures derived from the measurements (see the report for how to use them)."""
    load, default = figures.get("load"), figures.get("default")
    out: dict[str, object] = {}
    if load:
        cpu = load["cpu_ms_per_message"]
        rasa = [v for k, v in cpu.items() if k.startswith("rasa")]
        actions = [v for k, v in cpu.items() if k.startswith("actions")]
        out["scaled_msg_s_total"] = load["throughput_msg_s"]
        out["rasa_cpu_ms_per_message"] = round(sum(rasa), 1) if rasa else None
        out["actions_cpu_ms_per_message"] = round(sum(actions), 1) if actions else None
        out["cpu_ms_per_message_all_processes"] = round(sum(cpu.values()), 1)
        out["rss_mb"] = load["rss_mb"]
    if default:
        out["default_msg_s_one_replica_2_cores"] = default["throughput_msg_s"]
    return out


ALONE = ("supervised-default", "supervised-scaled")


def supervised_drills(args: argparse.Namespace, profiles: list[str]) -> dict[str, dict]:
    """Every child of each profile killed in turn under load, through the real supervisor."""
    from tests.soak.supervised import drills

    return {
        name: drills(
            name,
            WORK / f"supervised-{name}",
            args.users,
            args.fault_duration,
            FAULT_AT,
            fault_cost,
            _print_row,
        )
        for name in profiles
    }


def run_alone(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """`--only`: chosen phases, figures in results/soak-only.json (the full soak's file stays)."""
    chosen = [p for p in args.only.split(",") if p]
    if set(chosen) - set(ALONE):
        parser.error(f"--only runs these phases alone: {', '.join(ALONE)}")
    RESULTS.mkdir(exist_ok=True)
    began = time.monotonic()
    profiles = [p.removeprefix("supervised-") for p in chosen]
    figures: dict[str, object] = {
        "settings": {"users": args.users, "fault_duration_s": args.fault_duration,
                     "fault_at_s": FAULT_AT, "load_average_at_start": os.getloadavg()},
        "supervised": supervised_drills(args, profiles),
    }  # fmt: skip
    figures["wall_s"] = round(time.monotonic() - began)
    (RESULTS / "soak-only.json").write_text(json.dumps(figures, indent=1))
    print(f"written to {RESULTS / 'soak-only.json'} ({figures['wall_s']} s)")
    lost = supervised_lost(figures["supervised"])  # type: ignore[arg-type]
    if lost:
        print(f"FAILED: {lost} lost/phantom events")
    return 1 if lost else 0


def supervised_lost(supervised: dict[str, dict]) -> int:
    drills = [d for p in supervised.values() for d in p.values() if isinstance(d, dict)]
    return sum(d.get("lost_events", 0) + d.get("phantom_events", 0) for d in drills)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--fault-duration", type=float, default=40)
    parser.add_argument("--faults", default=",".join(FAULTS), help="comma-separated, or none")
    parser.add_argument("--lock-lifetime", type=int, default=10)
    parser.add_argument("--skip-default", action="store_true")
    parser.add_argument("--skip-scaled", action="store_true", help="the default profile only")
    parser.add_argument(
        "--sweep",
        default="5,10,20,30",
        help="students per step of the default profile's saturation sweep ('' for none)",
    )
    parser.add_argument("--sweep-duration", type=float, default=20)
    parser.add_argument(
        "--messenger",
        choices=("on", "off", "only"),
        default="on",
        help="the duplicate and slow Messenger deliveries drill; only: that drill alone",
    )
    parser.add_argument("--only", default="", help="run just these phases: " + ", ".join(ALONE))
    args = parser.parse_args()
    if args.only:
        return run_alone(parser, args)
    faults = [f for f in args.faults.split(",") if f and f != "none"]
    unknown = set(faults) - set(FAULTS)
    if unknown:
        parser.error(f"unknown faults {sorted(unknown)}; known: {', '.join(FAULTS)}")
    RESULTS.mkdir(exist_ok=True)
    began = time.monotonic()
    figures = {
        "settings": {
            "users": args.users,
            "duration_s": args.duration,
            "fault_duration_s": args.fault_duration,
            "fault_at_s": FAULT_AT,
            "ticket_lock_lifetime_s": args.lock_lifetime,
            "think_time_s": 0,
            "cores": os.cpu_count(),
            # other work on the machine skews every figure: recorded, not hidden
            "load_average_at_start": os.getloadavg(),
        },
        "scaled": {}
        if args.skip_scaled
        else scaled_phases(
            args.users,
            args.duration,
            args.fault_duration,
            faults,
            args.lock_lifetime,
            args.messenger,
        ),
    }
    if not args.skip_default and args.messenger != "only":
        sweep = [int(n) for n in args.sweep.split(",") if n.strip()]
        figures["default"] = default_phase(
            args.users,
            args.duration,
            sweep,
            args.sweep_duration,
            tuple(faults),
            args.fault_duration,
        )
    figures["supervised"] = (
        {}
        if args.messenger == "only"
        else supervised_drills(
            args,
            [
                name
                for name, skipped in (("default", args.skip_default), ("scaled", args.skip_scaled))
                if not skipped
            ],
        )
    )
    figures["capacity"] = capacity({**figures["scaled"], "default": figures.get("default")})
    figures["wall_s"] = round(time.monotonic() - began)
    (RESULTS / "soak.json").write_text(json.dumps(figures, indent=1))
    print(f"\ncapacity: {json.dumps(figures['capacity'])}")
    print(f"written to {RESULTS / 'soak.json'} ({figures['wall_s']} s)")
    phases = [figures["scaled"].get(p) for p in ("load", *faults)] + [figures.get("default")]
    lost = sum((p or {}).get("lost_events", 0) + (p or {}).get("phantom_events", 0) for p in phases)
    lost += sum(row["lost_events"] for row in (figures.get("default") or {}).get("sweep", []))
    lost += (figures.get("default") or {}).get("lock-tracker", {}).get("lost_events", 0)
    lost += supervised_lost(figures["supervised"])
    errors = sum(p["errors"] for p in phases[:1] + phases[-1:] if p)
    messenger = figures["scaled"].get("messenger", {}).values()
    lost += sum(m["lost"] + m["never_acknowledged"] for m in messenger)
    if lost or errors:
        print(f"FAILED: {lost} lost/phantom events, {errors} errors without a fault")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
