"""The browser section states each click's payload and the CPU an open and a click cost."""

from __future__ import annotations

from bench.report import replace_browser_section


def _timing(p50: float, p95: float, n: int) -> dict[str, float]:
    return {"n": n, "p50_ms": p50, "p95_ms": p95}


def test_section_states_payload_and_cpu_per_open_and_click() -> None:
    store = {
        "start": "drug:mecasermin",
        "warmed_s": 7.0,
        "open_to_paint": _timing(1500, 1800, 5),
        "click_to_view": _timing(300, 420, 6),
        "click_to_graph": _timing(290, 410, 6),
        "click_server": _timing(150, 200, 6),
        "click_paint": _timing(140, 210, 6),
        "click_payload_kb": {"p50": 68.3, "max": 68.9},
        "open_payload_kb": 740.2,
        "cpu_p50_ms": {"open_browser": 2100, "open_server": 150, "click_browser": 600, "click_server": 90},
    }
    results = {"browser": {"stores": {"1,000,000 edges": store}, "load_before": [1.0], "load_after": [1.2]}}
    section = replace_browser_section("# Benchmarks\n", results)
    assert "| 1,000,000 edges | `drug:mecasermin` | 1,500.0 | 1,800.0 | 5 |" in section
    assert "68.3 |" in section  # the payload of a click, in the table
    assert "CPU per open p50 2100 ms in Chromium's processes and 150 ms in the app's" in section
    assert "per click 600 and 90 ms" in section
    assert "An open brings 740.2 KB over the websocket, a click 68.3 KB." in section
