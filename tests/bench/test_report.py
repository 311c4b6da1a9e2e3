"""The pieces of `make bench` that need no running stack."""

from bench.driver import Result, percentile
from bench.report import row
from bench.wrk import script


def result(name, requests, seconds, p50, p99, errors=0):
    return Result(name, requests, seconds, p50, p99, errors)


def test_a_row_shows_both_sides_and_the_throughput_ratio():
    api = result("listing", 1100, 10.0, 145.24, 213.46)
    ref = result("listing ref", 1265, 10.0, 114.5, 535.9, errors=2)

    assert row("catalog listing", api, ref) == (
        "| catalog listing | 110.0 | 145.2 | 213.5 | 0 "
        "| 126.5 | 114.5 | 535.9 | 2 | 0.87 |"
    )


def test_a_reference_that_served_nothing_gives_ratio_zero_not_a_crash():
    api = result("login", 10, 10.0, 1.0, 2.0)
    ref = result("login ref", 0, 10.0, 0.0, 0.0, errors=5)

    assert row("login", api, ref).endswith("| 0.0 | 0.0 | 0.0 | 5 | 0.00 |")


def test_percentiles_are_inclusive_and_exact_on_small_samples():
    latencies = [float(n) for n in range(1, 101)]

    assert percentile(latencies, 50) == 50.5
    assert percentile(latencies, 99) == 99.01
    assert percentile([7.0], 99) == 7.0
    assert percentile([], 50) == 0.0


def test_the_wrk_script_rotates_requests_and_reports_json():
    lua = script(
        [
            {"path": "/a/"},
            {
                "method": "POST",
                "path": "/b/",
                "body": '{"x": 1}',
                "headers": {"Content-Type": "application/json"},
            },
        ]
    )

    assert '  {"GET", "/a/", {}, nil},' in lua
    assert (
        '  {"POST", "/b/", {["Content-Type"] = "application/json"}, "{\\"x\\": 1}"}'
        in lua
    )
    assert "i = i % #reqs + 1" in lua
    assert "BENCH_JSON" in lua and "latency:percentile(99)" in lua
