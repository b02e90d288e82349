"""``camunda testkit``: the fake cluster as a local server for other tools."""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType
from typing import Annotated, Literal

from cyclopts import Parameter

from camunda_cli.errors import EXIT_USAGE, CliError

__all__ = ["testkit"]


def testkit(
    *,
    port: Annotated[int, Parameter(help="port to listen on (0: any free port)")] = 8080,
    host: Annotated[str, Parameter(help="address to bind")] = "127.0.0.1",
    require_auth: Annotated[
        Literal["bearer", "basic"] | None,
        Parameter(help="demand credentials: bearer (OAuth tokens from its /oauth/token) or basic"),
    ] = None,
) -> None:
    """Run the test kit's fake cluster until Ctrl+C, printing the variables that point a client at it.

    It keeps everything in memory and accepts any client id and secret (or user and password).
    """
    from camunda_testkit import FakeCluster

    if not 0 <= port <= 65535:
        raise CliError(f"testkit: --port must be between 0 and 65535, got {port}", EXIT_USAGE)
    cluster = FakeCluster(port, host=host, require_auth=require_auth)
    try:
        cluster.start()
    except OSError as error:
        raise CliError(f"testkit: cannot listen on {host}:{port}: {error.strerror or error}", EXIT_USAGE) from None
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    exports = {"CAMUNDA_REST_ADDRESS": cluster.rest_address}
    if require_auth == "bearer":
        # The fake token endpoint accepts any non-empty id and secret.
        exports.update(CAMUNDA_AUTH_STRATEGY="OAUTH", CAMUNDA_OAUTH_URL=cluster.oauth_url,
                       CAMUNDA_CLIENT_ID="demo", CAMUNDA_CLIENT_SECRET="demo")
    elif require_auth == "basic":
        exports.update(CAMUNDA_AUTH_STRATEGY="BASIC", CAMUNDA_BASIC_AUTH_USERNAME="demo",
                       CAMUNDA_BASIC_AUTH_PASSWORD="demo")
    else:
        exports["CAMUNDA_AUTH_STRATEGY"] = "NONE"
    for name, value in exports.items():
        sys.stdout.write(f"export {name}={value}\n")
    sys.stdout.flush()
    sys.stderr.write(f"fake Camunda cluster listening on {cluster.rest_address}; Ctrl+C stops it\n")
    sys.stderr.flush()
    try:
        while not stopping.wait(0.5):
            pass
    finally:
        cluster.stop()
