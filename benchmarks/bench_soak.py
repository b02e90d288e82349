"""Soak: many sync calls in a row, RSS and file descriptors before and after.

    uv run python benchmarks/bench_soak.py [--calls 50000] [--quick]

``get_topology`` through ``CamundaClient`` beside the same request through a
raw ``httpx.Client`` (the floor), against the fake cluster in its own process.
Each loop runs in a fresh interpreter of its own, so neither inherits the
other's heap; both run in the same benchmark run against the same server.
What is compared is growth, measured after a warm-up (pools, caches and lazy
imports are in place by then), not absolute size. Not a timed test: a leak
shows as growth that scales with the number of calls, and as descriptors that
are not back to their count before.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

__all__ = ["run", "soak_rows"]

WARM_UP = 1000
LOOPS = ("raw", "sdk")


def _rss_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _child(loop: str, rest_address: str, calls: int) -> dict[str, Any]:
    """One loop in this (fresh) interpreter; returns its measurements."""
    import httpx

    if loop == "raw":
        raw = httpx.Client(base_url=rest_address, headers={"Accept": "application/json"})

        def once() -> None:
            raw.get("/topology").json()

        close = raw.close
    else:
        from camunda_orchestration_sdk import CamundaClient

        sdk = CamundaClient(
            configuration={"CAMUNDA_REST_ADDRESS": rest_address, "CAMUNDA_AUTH_STRATEGY": "NONE"},
            environ={},
        )

        def once() -> None:
            sdk.get_topology()

        close = sdk.close
    for _ in range(WARM_UP):
        once()
    gc.collect()
    rss_before, fds_before = _rss_kb(), _open_fds()
    for _ in range(calls):
        once()
    gc.collect()
    rss_after, fds_after = _rss_kb(), _open_fds()
    close()
    return {
        "loop": loop,
        "calls": calls,
        "rss_before_kb": rss_before,
        "rss_after_kb": rss_after,
        "fds_before": fds_before,
        "fds_after": fds_after,
    }


def run(rest_address: str, calls: int) -> list[dict[str, Any]]:
    """Both loops, each in its own interpreter, one after the other."""
    results: list[dict[str, Any]] = []
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAMUNDA_")}
    for loop in LOOPS:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                loop,
                "--address",
                rest_address,
                "--calls",
                str(calls),
            ],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return results


def soak_rows(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows in ``benchmarks/run.py``'s format: ours next to the raw httpx floor."""
    by_loop = {r["loop"]: r for r in results}
    raw, sdk = by_loop["raw"], by_loop["sdk"]
    calls = sdk["calls"]

    def growth(r: dict[str, Any]) -> int:
        return int(r["rss_after_kb"] - r["rss_before_kb"])

    return [
        {
            "figure": f"soak: RSS growth over {calls} sync get_topology (KB)",
            "ours": float(growth(sdk)),
            "floor": float(growth(raw)),
            "goal": None,
            "note": f"after {WARM_UP} warm-up calls; RSS {sdk['rss_before_kb'] / 1024:.1f} -> "
            f"{sdk['rss_after_kb'] / 1024:.1f} MB (raw httpx {raw['rss_before_kb'] / 1024:.1f} -> "
            f"{raw['rss_after_kb'] / 1024:.1f} MB)",
        },
        {
            "figure": f"soak: open file descriptors after {calls} calls",
            "ours": float(sdk["fds_after"]),
            "floor": float(raw["fds_after"]),
            "goal": None,
            "note": f"before: ours {sdk['fds_before']}, raw httpx {raw['fds_before']}",
        },
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=50_000)
    parser.add_argument("--quick", action="store_true", help="5,000 calls")
    parser.add_argument("--child", choices=LOOPS, help=argparse.SUPPRESS)
    parser.add_argument("--address", help=argparse.SUPPRESS)
    args = parser.parse_args()
    calls = 5_000 if args.quick else args.calls
    if args.child:
        print(json.dumps(_child(args.child, args.address, calls)))
        return
    from fake_server import fake_cluster_process

    with fake_cluster_process() as address:
        rows = soak_rows(run(address, calls))
    for row in rows:
        print(
            f"{row['figure']:58} ours {row['ours']:10.0f}   floor {row['floor']:10.0f}   {row['note']}"
        )


if __name__ == "__main__":
    main()
