"""Every performance figure of the SDK next to its floor, measured in the same run.

    uv run python benchmarks/run.py            # full run (a few minutes)
    uv run python benchmarks/run.py --quick    # smaller samples, for a smoke check

Floors: a bare import of our dependencies, raw httpx calls against the same
server, ``json.loads`` alone, and a raw activate/complete loop. The soak
(``bench_soak.py``) prints RSS growth and open file descriptors over 50,000
sync calls beside a raw ``httpx.Client`` loop. ``heartbeat`` (``bench_workers.run_heartbeat``)
prints the JobRouter async worker with ``auto_extend_lease`` against the same worker
without it: (a) trivial handler, the heartbeat's bookkeeping only; (b) a 200 ms handler
with a 100 ms extension interval (extensions really sent) against a 60 s job timeout.
``engine`` (``bench_engine.py``) runs 1,000 instances of a 10-element process (exclusive
gateway, parallel fork/join, message catch) through SDK job workers against the test
kit in its own process, beside the raw activate/complete loop converted to instances/s,
with the cluster's CPU share and the engine alone (no HTTP). Each row
prints our figure, the floor, the ratio and the goal. Nothing here is a test:
timings vary by machine, ratios much less so.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fake_server import deploy, fake_cluster_process  # noqa: E402 - after the path set-up

#: What camunda_core imports eagerly; the floor for our own import cost. (orjson, also a
#: dependency, is imported with the first response body, so neither side imports it here.)
DEPENDENCIES = "import httpx, pluggy, attrs, cattrs, loguru"
OUR_IMPORT = "import camunda_orchestration_sdk; from camunda_orchestration_sdk import CamundaClient, CamundaAsyncClient"

Row = dict[str, Any]

#: Items in the sync search figure's answer.
SEARCH_ITEMS = 100


def _measure_import(statement: str, runs: int) -> tuple[float, float]:
    """Median wall time (ms) of ``statement`` in a fresh interpreter, and its max RSS (MB)."""
    # RSS from /proc: ru_maxrss would include the memory of the parent this
    # child was forked from.
    script = (
        "import time\n"
        "t0 = time.perf_counter()\n"
        f"{statement}\n"
        "t1 = time.perf_counter()\n"
        "rss = [l for l in open('/proc/self/status') if l.startswith('VmRSS:')][0].split()[1]\n"
        "print((t1 - t0) * 1000, int(rss) / 1024)\n"
    )
    times: list[float] = []
    rss: list[float] = []
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAMUNDA_")}
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env)
        elapsed, memory = out.stdout.split()
        times.append(float(elapsed))
        rss.append(float(memory))
    return statistics.median(times), statistics.median(rss)


def _ensure_bytecode() -> None:
    """Compile our packages and the venv's, as an installed package would be.

    This machine sets PYTHONDONTWRITEBYTECODE and uv does not compile at
    install, so without this every import would include compiling source
    (ours and the dependencies' alike), which is not what users see.
    """
    import compileall
    import site
    import sysconfig

    roots = {sysconfig.get_paths()["purelib"], *site.getsitepackages(), str(HERE.parent / "packages")}
    for root in sorted(roots):
        compileall.compile_dir(root, quiet=2, workers=0)


def bench_import(runs: int) -> list[Row]:
    _ensure_bytecode()
    baseline_ms, baseline_rss = _measure_import("import sys", runs)
    deps_ms, deps_rss = _measure_import(DEPENDENCIES, runs)
    ours_ms, ours_rss = _measure_import(f"{DEPENDENCIES}\n{OUR_IMPORT}", runs)
    httpx_ms, httpx_rss = _measure_import("import httpx", runs)
    core_ms, core_rss = _measure_import("import camunda_core", runs)
    return [
        {"figure": "import camunda_core (ms)", "ours": core_ms, "floor": httpx_ms, "goal": None,
         "note": "floor: import httpx"},
        {"figure": "RSS after import camunda_core (MB)", "ours": core_rss, "floor": httpx_rss, "goal": None,
         "note": "floor: import httpx"},
        {"figure": "import time (ms)", "ours": ours_ms, "floor": deps_ms, "goal": 1.5,
         "note": f"floor: {DEPENDENCIES}"},
        {"figure": "RSS after import (MB)", "ours": ours_rss, "floor": deps_rss, "goal": 1.3,
         "note": f"bare interpreter: {baseline_rss:.1f} MB, {baseline_ms:.1f} ms"},
    ]


def _interleaved(rounds: int, batch: int, *candidates: Callable[[], None]) -> list[float]:
    """Median µs per call of each candidate.

    Calls alternate one by one (A B A B ...), so that machine noise and any
    drift in the server fall on every candidate alike.
    """
    samples: list[list[float]] = [[] for _ in candidates]
    clock = time.perf_counter_ns
    for _ in range(rounds * batch):
        for index, call in enumerate(candidates):
            start = clock()
            call()
            samples[index].append((clock() - start) / 1000)
    return [statistics.median(s) for s in samples]


def bench_sync_calls(rest_address: str, rounds: int, batch: int) -> list[Row]:
    import httpx

    from camunda_orchestration_sdk import CamundaClient
    from camunda_orchestration_sdk.models.limit_pagination import LimitPagination
    from camunda_orchestration_sdk.models.process_creation_by_id import ProcessCreationById
    from camunda_orchestration_sdk.models.process_instance_search_query import (
        ProcessInstanceSearchQuery,
    )

    base = rest_address
    raw = httpx.Client(base_url=base, headers={"Accept": "application/json"})
    settings = {"CAMUNDA_REST_ADDRESS": base, "CAMUNDA_AUTH_STRATEGY": "NONE"}
    sdk = _as_installed_by_default(CamundaClient(configuration=settings))
    # The same client with camunda-otel's plugin (installed in the dev environment, auto-enabled,
    # no tracer provider configured): what installing the tracing extra costs per call.
    traced = CamundaClient(configuration=settings)
    create_body = {"processDefinitionId": "bench-process"}

    def raw_topology() -> None:
        raw.get("/topology").json()

    def sdk_topology() -> None:
        sdk.get_topology()

    def traced_topology() -> None:
        traced.get_topology()

    def raw_create() -> None:
        raw.post("/process-instances", json=create_body).json()

    def sdk_create() -> None:
        sdk.create_process_instance(data=ProcessCreationById(process_definition_id="bench-process"))  # type: ignore[arg-type]

    # A search answering SEARCH_ITEMS instances: the floor posts the same body and reads it
    # with json.loads; ours builds, checks and sends the model and returns typed results.
    search_body = {"page": {"limit": SEARCH_ITEMS}}
    search_query = ProcessInstanceSearchQuery(page=LimitPagination(limit=SEARCH_ITEMS))

    def raw_search() -> None:
        raw.post("/process-instances/search", json=search_body).json()

    def sdk_search() -> None:
        sdk.search_process_instances(data=search_query)

    for warm in (raw_topology, sdk_topology, raw_create, sdk_create):
        for _ in range(50):
            warm()
    while len(raw.post("/process-instances/search", json=search_body).json()["items"]) < SEARCH_ITEMS:
        raw_create()
    assert len(sdk.search_process_instances(data=search_query).items) == SEARCH_ITEMS
    for warm in (raw_search, sdk_search):
        for _ in range(20):
            warm()
    raw_t, sdk_t = _interleaved(rounds, batch, raw_topology, sdk_topology)
    # Before the creations below fill the cluster, so the fake server's search stays as cheap
    # as it can be (its cost is in both figures). Each search moves ~100x the bytes of the
    # other calls: fewer samples give as stable a median.
    raw_s, sdk_s = _interleaved(rounds, max(batch // 10, 10), raw_search, sdk_search)
    raw_c, sdk_c = _interleaved(rounds, batch, raw_create, sdk_create)
    rows: list[Row] = []
    if _otel_plugin_name(traced) is not None:
        for _ in range(50):
            traced_topology()
        raw_o, sdk_o = _interleaved(rounds, batch, raw_topology, traced_topology)
        rows.append(
            {"figure": "sync get_topology, camunda-otel installed (µs/call)", "ours": sdk_o, "floor": raw_o,
             "goal": None, "note": "floor: raw httpx.Client; the plugin auto-enabled, no tracer provider set"}
        )
    raw.close()
    sdk.close()
    traced.close()
    return [
        {"figure": "sync get_topology (µs/call)", "ours": sdk_t, "floor": raw_t, "goal": 1.10, "note": "floor: raw httpx.Client"},
        {"figure": "sync create_process_instance (µs/call)", "ours": sdk_c, "floor": raw_c, "goal": 1.10,
         "note": "floor: raw httpx.Client"},
        {"figure": f"sync search_process_instances, {SEARCH_ITEMS} items (µs/call)", "ours": sdk_s, "floor": raw_s,
         "goal": 1.15, "note": "floor: raw httpx.Client post + json.loads of the same body"},
        *rows,
    ]


def _otel_plugin_name(client: Any) -> str | None:
    for name, plugin in client.plugin_manager.list_name_plugin():
        if type(plugin).__module__.startswith("camunda_otel"):
            return str(name)
    return None


def _as_installed_by_default(client: Any) -> Any:
    """The client as ``pip install camunda-orchestration-sdk`` runs it.

    The dev environment also installs camunda-otel (an extra), whose entry point would enable
    tracing on every client; the default install has no such plugin, so it is taken off here
    and measured in a row of its own.
    """
    name = _otel_plugin_name(client)
    if name is not None:
        client.runtime.unregister_plugin(client.plugin_manager.get_plugin(name))
    return client


def bench_async_calls(rest_address: str, rounds: int, concurrency: int) -> list[Row]:
    import httpx
    from httpx_aiohttp import AiohttpTransport

    from camunda_orchestration_sdk import CamundaAsyncClient

    async def per_call(call: Callable[[], Any], total: int) -> float:
        semaphore = asyncio.Semaphore(concurrency)

        async def one() -> None:
            async with semaphore:
                await call()

        start = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(total)))
        return (time.perf_counter() - start) / total * 1e6

    async def run() -> list[float]:
        raw_httpx = httpx.AsyncClient(base_url=rest_address, limits=httpx.Limits(max_connections=100))
        raw_aiohttp = httpx.AsyncClient(base_url=rest_address, transport=AiohttpTransport())
        sdk = _as_installed_by_default(
            CamundaAsyncClient(configuration={"CAMUNDA_REST_ADDRESS": rest_address, "CAMUNDA_AUTH_STRATEGY": "NONE"})
        )

        async def raw_httpx_call() -> None:
            (await raw_httpx.get("/topology")).json()

        async def raw_aiohttp_call() -> None:
            (await raw_aiohttp.get("/topology")).json()

        async def sdk_call() -> None:
            await sdk.get_topology()

        total = concurrency * 10
        for call in (raw_httpx_call, raw_aiohttp_call, sdk_call):
            await per_call(call, concurrency * 2)  # warm the pools
        # httpx's own transport is an order of magnitude slower: measured once, beside.
        httpx_own = statistics.median([await per_call(raw_httpx_call, total) for _ in range(3)])
        # The figure and its floor take turns (ABBA), so drift favours neither.
        pair = [raw_aiohttp_call, sdk_call]
        results: list[list[float]] = [[], []]
        order = [0, 1]
        for _ in range(rounds):
            for index in order:
                results[index].append(await per_call(pair[index], total))
            order.reverse()
        await raw_httpx.aclose()
        await raw_aiohttp.aclose()
        await sdk.close()
        return [httpx_own, *(statistics.median(r) for r in results)]

    raw_httpx_us, raw_aiohttp_us, sdk_us = asyncio.run(run())
    return [
        {"figure": f"async get_topology x{concurrency} concurrent (µs/call)", "ours": sdk_us, "floor": raw_aiohttp_us,
         "goal": 1.10, "note": f"floor: raw httpx over httpx-aiohttp; raw httpx own transport: {raw_httpx_us:.0f} µs"},
        {"figure": "httpx own async transport vs httpx-aiohttp (µs/call)", "ours": raw_httpx_us, "floor": raw_aiohttp_us,
         "goal": None, "note": "why aiohttp is the async default"},
    ]


def bench_parse(items: int, rounds: int) -> list[Row]:
    from camunda_core.api import operations
    from camunda_core.models.process_instance_search_query_result import (
        ProcessInstanceSearchQueryResult,
    )
    from camunda_core.runtime.response_handler import parse_success

    item = {
        "processDefinitionId": "order-process",
        "processDefinitionName": "Order process",
        "processDefinitionVersion": 3,
        "processDefinitionVersionTag": "v3",
        "startDate": "2025-06-07T13:14:15.123Z",
        "endDate": None,
        "state": "ACTIVE",
        "hasIncident": False,
        "tenantId": "<default>",
        "processInstanceKey": "2251799813685249",
        "processDefinitionKey": "2251799813685250",
        "parentProcessInstanceKey": None,
        "parentElementInstanceKey": None,
        "rootProcessInstanceKey": "2251799813685249",
        "tags": ["a", "b"],
        "businessId": None,
    }
    payload = json.dumps(
        {
            "items": [dict(item, processInstanceKey=str(2251799813685249 + i)) for i in range(items)],
            "page": {"totalItems": items, "startCursor": "a", "endCursor": "b", "hasMoreTotalItems": False},
        }
    ).encode()

    search = operations.search_process_instances
    headers = {"content-type": "application/json"}

    def loads_only() -> None:
        json.loads(payload)

    def sdk_parse() -> None:
        # What the clients do with a 200 body: decode, then build the typed result.
        parse_success(search, 200, payload, headers)

    assert isinstance(parse_success(search, 200, payload, headers), ProcessInstanceSearchQueryResult)
    floor, ours = _interleaved(rounds, 5, loads_only, sdk_parse)
    return [
        {"figure": f"parse {items}-item search result (µs)", "ours": ours, "floor": floor, "goal": 1.2,
         "note": "floor: json.loads alone (ours: the clients' parse_success: decode + structure)"}
    ]


def bench_workers(quick: bool) -> list[Row]:
    import bench_workers

    results = bench_workers.run(jobs=1000 if quick else 5000, quick=quick)
    floor = results[0]["jobs_per_second"]
    return [
        {"figure": f"{r['name']} (jobs/s)", "ours": r["jobs_per_second"], "floor": floor,
         "goal": 0.8, "higher_is_better": True, "note": f"{r['jobs']} jobs; floor: raw activate/complete loop"}
        for r in results[1:]
    ]


def bench_heartbeat(quick: bool) -> list[Row]:
    import bench_workers

    rows: list[Row] = []
    for pair in bench_workers.run_heartbeat(quick=quick):
        rows.append({
            "figure": f"lease heartbeat, {pair['name']} (jobs/s)", "ours": pair["with"], "floor": pair["without"],
            "goal": 0.95, "higher_is_better": True,
            "note": f"{pair['jobs']} jobs x{pair['rounds']}; floor: same JobRouter task without auto_extend_lease; "
                    f"{pair['extensions_per_job']:.2f} extensions/job; client CPU {pair['cpu_with_us']:.0f} vs "
                    f"{pair['cpu_without_us']:.0f} µs/job",
        })  # fmt: skip
    return rows


def bench_engine(quick: bool) -> list[Row]:
    import bench_engine

    r = bench_engine.run(quick=quick)
    return [
        {"figure": f"testkit: {r['instances']} order instances via SDK workers (inst/s)",
         "ours": r["sdk_instances_per_second"], "floor": r["floor_instances_per_second"], "goal": None,
         "higher_is_better": True,
         "note": f"floor: raw activate/complete loop {r['raw_jobs_per_second']:.0f} jobs/s / "
                 f"{bench_engine.JOBS_PER_INSTANCE} jobs per instance; cluster process CPU "
                 f"{r['server_cpu_share']:.0%} of wall, engine's own {r['engine_share']:.0%}"},
        {"figure": "testkit: engine alone, same workload (inst/s)", "ours": r["engine_instances_per_second"],
         "floor": None, "goal": None,
         "note": f"camunda_testkit.engine.Engine driven directly, no HTTP; "
                 f"{r['engine_cpu_us_per_instance']:.0f} µs CPU per instance"},
    ]  # fmt: skip


def bench_soak(rest_address: str, calls: int) -> list[Row]:
    import bench_soak

    return bench_soak.soak_rows(bench_soak.run(rest_address, calls))


def _print(rows: list[Row]) -> None:
    print(f"{'figure':58} {'ours':>12} {'floor':>12} {'ratio':>7} {'goal':>7}  note")
    for row in rows:
        ours, floor, goal = row.get("ours"), row.get("floor"), row.get("goal")
        ratio = ours / floor if isinstance(ours, (int, float)) and isinstance(floor, (int, float)) and floor else None
        status = ""
        if ratio is not None and goal is not None:
            higher_is_better = row.get("higher_is_better", False)
            status = "ok" if (ratio >= goal if higher_is_better else ratio <= goal) else "MISS"
        fmt = lambda v: f"{v:12.1f}" if isinstance(v, (int, float)) else f"{'-':>12}"  # noqa: E731
        print(
            f"{row['figure']:58} {fmt(ours)} {fmt(floor)} "
            f"{(f'{ratio:7.2f}' if ratio is not None else '      -')} "
            f"{(('>=' if row.get('higher_is_better') else '<=') + str(goal)) if goal is not None else '-':>7}  "
            f"{status} {row.get('note', '')}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller samples")
    parser.add_argument(
        "--only", choices=["import", "sync", "async", "parse", "workers", "soak", "heartbeat", "engine"], action="append"
    )
    args = parser.parse_args()
    quick: bool = args.quick
    only: set[str] = set(
        args.only or ["import", "sync", "async", "parse", "workers", "soak", "heartbeat", "engine"]
    )

    rows: list[Row] = []
    if "import" in only:
        rows += bench_import(runs=5 if quick else 15)
    if "parse" in only:
        rows += bench_parse(1000, rounds=5 if quick else 20)
    if only & {"sync", "async", "soak"}:
        with fake_cluster_process() as rest_address:
            _deploy(rest_address)
            if "sync" in only:
                rows += bench_sync_calls(rest_address, rounds=6 if quick else 30, batch=100 if quick else 200)
            if "async" in only:
                rows += bench_async_calls(rest_address, rounds=4 if quick else 16, concurrency=50)
            if "soak" in only:
                # Last, so the figures above are measured exactly as before.
                rows += bench_soak(rest_address, calls=5_000 if quick else 50_000)
    if "workers" in only:
        rows += bench_workers(quick)
    if "heartbeat" in only:
        rows += bench_heartbeat(quick)
    if "engine" in only:
        rows += bench_engine(quick)
    _print(rows)


def _deploy(rest_address: str) -> None:
    deploy(rest_address, "bench.bpmn", _bench_bpmn())


def _bench_bpmn() -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="http://bpmn.io/schema/bpmn">'
        '<bpmn:process id="bench-process" isExecutable="true">'
        '<bpmn:startEvent id="start"/><bpmn:endEvent id="end"/>'
        "</bpmn:process></bpmn:definitions>"
    )


if __name__ == "__main__":
    main()
