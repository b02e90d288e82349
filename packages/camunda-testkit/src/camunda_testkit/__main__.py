"""``python -m camunda_testkit``: run the fake cluster as a local dev server."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from .cluster import FakeCluster

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m camunda_testkit",
        description="Run a fake Camunda 8 Orchestration Cluster (REST /v2) until Ctrl-C.",
    )
    parser.add_argument("--port", type=int, default=8080, help="port to listen on (0: any free)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--require-auth",
        choices=("bearer", "basic"),
        default=None,
        help="demand an Authorization header (tokens from POST /oauth/token)",
    )
    parser.add_argument(
        "--no-record",
        action="store_true",
        help="keep no request log (long runs, benchmarks: memory stays flat)",
    )
    args = parser.parse_args(argv)
    cluster = FakeCluster(
        args.port, host=args.host, require_auth=args.require_auth, record_requests=not args.no_record
    )
    try:
        cluster.start()
    except OSError as exc:
        print(f"camunda_testkit: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    print(f"Fake Camunda cluster listening on {cluster.rest_address}", flush=True)
    print(f"OAuth token endpoint: {cluster.oauth_url}", flush=True)
    try:
        while not stopping.wait(0.5):
            pass
    finally:
        cluster.stop()
        print("Fake Camunda cluster stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
