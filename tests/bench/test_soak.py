"""What fails `make soak` (bench/soak.py), without a running stack."""

from bench.memory import Memory
from bench.soak import Minute, verdict


def minute(p99_ms: float, *, errors=0, gunicorn_mib=100.0, pool_mib=50.0) -> Minute:
    latencies = [0.010] * 98 + [p99_ms / 1000] * 2
    return Minute(
        latencies=latencies,
        errors=errors,
        memory=[
            Memory("gunicorn", 1, 20.0, 20.0),
            Memory("gunicorn worker 2", 2, gunicorn_mib, gunicorn_mib),
            Memory("worker-orders", 3, 100.0, 100.0),
            Memory("worker-orders pool 4", 4, pool_mib, pool_mib),
        ],
    )


def test_a_steady_soak_passes():
    assert verdict([minute(100), minute(120), minute(149)]) == []


def test_any_error_fails_it():
    assert verdict([minute(100), minute(100, errors=1)]) == ["1 error answers"]


def test_p99_drifting_up_more_than_half_fails_it():
    [failure] = verdict([minute(100), minute(100), minute(151)])

    assert failure.startswith("p99 of the last minute 151.0 ms > 1.5 x")


def test_memory_growth_is_judged_per_process_with_what_it_started():
    grown = minute(100, pool_mib=66.0)  # worker-orders 150 -> 166 MiB: +10.7 %
    recycled = minute(100, gunicorn_mib=60.0)  # smaller: a recycled worker

    assert verdict([minute(100), grown]) == [
        "worker-orders: RSS 150 -> 166 MiB (> 10% growth)"
    ]
    assert verdict([minute(100), recycled]) == []
