"""The pieces of `make bench` that need no running stack."""

from bench.driver import Result, percentile
from bench.report import row
from bench.split import ORDERS_ROW, split_environ, verdict
from bench.wrk import script


def result(name, requests, seconds, p50, p99, errors=0):
    return Result(name, requests, seconds, p50, p99, errors)


def test_a_row_shows_both_sides_and_the_throughput_ratio():
    api = result("listing", 1100, 10.0, 145.24, 213.46)
    ref = result("listing ref", 1265, 10.0, 114.5, 535.9, errors=2)

    assert row("catalog listing", api, ref) == (
        "| catalog listing | 110.0 | 145.2 | 213.5 | 0 "
        "| 126.5 | 114.5 | 535.9 | 2 | 0.87 |  |"
    )


def test_a_row_with_a_target_says_whether_it_was_met():
    api = result("detail", 300, 10.0, 1.0, 2.0)
    ref = result("detail ref", 100, 10.0, 1.0, 2.0)

    assert row("cached", api, ref, 3.0).endswith("| 3.00 | >= 3: met |")
    assert row("cached", api, ref, 4.0).endswith("| 3.00 | >= 4: MISSED |")


def test_a_reference_that_served_nothing_gives_ratio_zero_not_a_crash():
    api = result("login", 10, 10.0, 1.0, 2.0)
    ref = result("login ref", 0, 10.0, 0.0, 0.0, errors=5)

    assert row("login", api, ref).endswith("| 0.0 | 0.0 | 0.0 | 5 | 0.00 |  |")


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


def test_the_split_verdict_holds_both_the_rate_and_the_latency_target():
    monolith = result("order", 400, 10.0, 150.0, 300.0)
    fast_enough = result("order split", 300, 10.0, 165.0, 340.0)  # 0.75x, +15 ms
    too_slow = result("order split", 250, 10.0, 160.0, 340.0)  # 0.62x
    too_late = result("order split", 380, 10.0, 175.0, 340.0)  # +25 ms

    assert verdict([(ORDERS_ROW, fast_enough, monolith)]).endswith(
        "0.75x, p50 +15.0 ms: met."
    )
    assert verdict([(ORDERS_ROW, too_slow, monolith)]).endswith("NOT met.")
    assert verdict([(ORDERS_ROW, too_late, monolith)]).endswith("NOT met.")


def test_the_split_stack_of_the_bench_keeps_the_bench_settings_on_its_own_databases():
    bench_env = {
        "DJANGO_SETTINGS_MODULE": "bench.stack_settings",
        "THROTTLE_ORDER_PLACE": "100000/s",
    }
    environ = split_environ(
        bench_env, database_url="postgres://h/shop_bench", port=8180
    )

    assert "DJANGO_SETTINGS_MODULE" not in environ  # the split runner's production
    assert environ["THROTTLE_ORDER_PLACE"] == "100000/s"
    assert environ["DATABASE_URL"] == "postgres://h/shop_bench_split"
    assert (environ["GATEWAY_PORT"], environ["SPLIT_PORT_BASE"]) == ("8181", "8191")


def test_the_search_note_says_whether_search_p50_is_within_2x_the_filtered_listings():
    from bench.scenarios import SEARCH_SCENARIO, search_p50_note

    def p50(ms: float) -> Result:
        return Result(
            name="x", requests=10, seconds=1, p50_ms=ms, p99_ms=2 * ms, errors=0
        )

    above = search_p50_note([(SEARCH_SCENARIO, p50(9.0), p50(4.0))])
    within = search_p50_note([(SEARCH_SCENARIO, p50(8.0), p50(4.0))])

    assert above.endswith(": 9.0 / 4.0 ms = 2.25x: NOT met.")
    assert within.endswith(": 8.0 / 4.0 ms = 2.00x: met.")
    assert search_p50_note([]) == "Search target: not measured."


def test_the_placement_note_judges_the_stamped_p50_and_never_an_empty_one():
    from bench.scenarios import ORDERS_SCENARIO, placement_p50_note

    def stamped(ms: float | None) -> Result:
        row = result("order", 10, 1, 250.0, 400.0)
        row.stamped_p50_ms = ms
        return row

    def note(ms):
        return placement_p50_note([(ORDERS_SCENARIO, stamped(ms), stamped(ms))])

    assert note(100.0).endswith(": 100.0 ms (as the client saw it: 250.0 ms): met.")
    assert note(100.1).endswith("(as the client saw it: 250.0 ms): NOT met.")
    # No order confirmed: no figure, rather than a p50 of 0 ms that "meets" it.
    assert note(None) == "Placement latency target: not measured."
    assert placement_p50_note([]) == "Placement latency target: not measured."


def test_memory_is_read_for_each_process_and_the_ones_it_started(tmp_path):
    import sys
    import time

    from bench.memory import group_memory, table
    from stack.procs import ProcessGroup

    group = ProcessGroup(tmp_path)
    code = (
        "import subprocess, sys, time; "
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)']); "
        "time.sleep(30)"
    )
    parent = group.start("worker-x", [sys.executable, "-c", code], {})
    try:
        deadline = 50
        while deadline and len(group_memory(group)) < 2:
            time.sleep(0.1)
            deadline -= 1
        memory = group_memory(group)
    finally:
        group.stop_all()

    assert [m.process for m in memory] == ["worker-x", f"worker-x pool {memory[1].pid}"]
    assert memory[0].pid == parent.pid
    assert all(0 < m.rss_mib <= m.peak_mib for m in memory)
    assert table(memory).splitlines()[-1].startswith("| total | | ")
