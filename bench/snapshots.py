"""Times calls of the catalog's `product_snapshots` interface in this process's
topology: in-process where catalog is hosted, over HTTP to SERVICE_URL_CATALOG
where it is not. Prints one JSON line (bench/split.py reads it).

    python -m bench.snapshots CALLS PRODUCT_ID [PRODUCT_ID ...]
"""

import json
import sys
import time

import django

WARM_UP_CALLS = 20


def main(argv: list[str]) -> int:
    calls, product_ids = int(argv[0]), argv[1:]
    django.setup()
    from apps.catalog.interface import product_snapshots
    from bench.driver import percentile

    for _ in range(WARM_UP_CALLS):  # connections, imports, the remote session
        product_snapshots(product_ids=product_ids)
    latencies = []
    started = time.perf_counter()
    for _ in range(calls):
        before = time.perf_counter()
        found = product_snapshots(product_ids=product_ids)
        latencies.append(time.perf_counter() - before)
        if len(found) != len(product_ids):
            sys.exit(f"product_snapshots found {len(found)} of {len(product_ids)}")
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "calls": calls,
                "seconds": seconds,
                "p50_ms": percentile(latencies, 50) * 1000,
                "p99_ms": percentile(latencies, 99) * 1000,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
