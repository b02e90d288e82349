"""Measure structure() of a 1000-item search result against json.loads of the same payload.

Run: ``uv run python -m tools.generator.bench_converter`` (not a test: timings vary by machine).
"""

from __future__ import annotations

import json
import sys
import timeit
from typing import Any

__all__ = ["main", "sample_payload"]


def sample_item(i: int) -> dict[str, Any]:
    return {
        "processDefinitionId": f"order-process-{i % 7}",
        "processDefinitionName": "Order process",
        "processDefinitionVersion": 3,
        "processDefinitionVersionTag": None if i % 2 else "v3",
        "startDate": f"2025-01-{1 + i % 28:02d}T10:{i % 60:02d}:05.123Z",
        "endDate": None if i % 3 else "2025-02-01T11:00:00.000Z",
        "state": ("ACTIVE", "COMPLETED", "TERMINATED")[i % 3],
        "hasIncident": i % 5 == 0,
        "tenantId": "<default>",
        "processInstanceKey": str(2251799813685249 + i),
        "processDefinitionKey": "2251799813685100",
        "parentProcessInstanceKey": None,
        "parentElementInstanceKey": None,
        "rootProcessInstanceKey": str(2251799813685249 + i),
        "tags": ["priority:high"] if i % 4 == 0 else [],
        "businessId": None,
    }


def sample_payload(n: int = 1000) -> str:
    body = {
        "items": [sample_item(i) for i in range(n)],
        "page": {
            "totalItems": n,
            "hasMoreTotalItems": False,
            "startCursor": "YQ==",
            "endCursor": "Yg==",
        },
    }
    return json.dumps(body)


def main() -> int:
    from camunda_core.models.process_instance_search_query_result import (
        ProcessInstanceSearchQueryResult,
    )
    from camunda_core.serialization.converter import structure

    text = sample_payload()
    decoded = json.loads(text)
    structure(decoded, ProcessInstanceSearchQueryResult)  # build the hooks once
    runs = 200
    t_loads = min(timeit.repeat(lambda: json.loads(text), number=runs, repeat=5)) / runs
    t_structure = (
        min(
            timeit.repeat(
                lambda: structure(decoded, ProcessInstanceSearchQueryResult), number=runs, repeat=5
            )
        )
        / runs
    )
    print(f"python {sys.version.split()[0]}, payload {len(text) / 1024:.0f} KiB, 1000 items")
    print(f"json.loads:  {t_loads * 1e3:.2f} ms")
    print(f"structure:   {t_structure * 1e3:.2f} ms  ({t_structure / t_loads:.2f}x json.loads)")
    print(f"loads+structure: {(t_loads + t_structure) / t_loads:.2f}x json.loads")
    return 0


if __name__ == "__main__":
    sys.exit(main())
