"""A quick throughput check of the default profile (one Rasa server, SQLite tracker store), for
comparing two versions of the code from one machine state in ~2 minutes (`make bench` trains
stock Rasa and takes far longer):

    python -m tests.soak.store_bench [--users 20] [--duration 30] [--warm-up 10]

Run it from each checkout (PYTHONPATH and the working directory of the code to measure), one
right after the other. Prints one JSON line: msg/s, p50/p95 latency, errors, lost events,
CPU ms per message.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os

from tests.soak import stack
from tests.soak.load import check_tracker, run_load
from tests.soak.run import WORK


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--warm-up", type=float, default=10)
    args = parser.parse_args()
    root = WORK / "store-bench"
    servers = stack.default(root)
    try:
        asyncio.run(run_load(servers.webhook, 10, args.warm_up, "warm-up"))
        pids = stack.servers_pids(servers)
        cpu_before = stack.cpu(pids)
        result = asyncio.run(run_load(servers.webhook, args.users, args.duration, "bench"))
        cpu_after = stack.cpu(pids)
        check_tracker(result, f"sqlite:///{root / 'tracker.sqlite3'}")
    finally:
        servers.stop()
    summary = result.summary()
    keys = ("users", "messages", "throughput_msg_s", "p50_ms", "p95_ms", "errors", "lost_events")
    figures = {key: summary.get(key) for key in keys}
    # CPU per message depends far less on other work on the machine than msg/s does
    figures["cpu_ms_per_message"] = {
        name: round(
            1000 * (cpu_after[name] - cpu_before[name]) / max(result.summary()["answered"], 1), 1
        )
        for name in cpu_after
    }
    figures["load_average"] = os.getloadavg()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
