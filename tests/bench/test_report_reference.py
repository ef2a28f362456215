"""The "ours ÷ engine" ratio must never divide by a replay that timed nothing."""

from bench.report import _engine_reference, _latency


def _op(statements: int, **sides: float) -> dict:
    block = {"statements": statements, "ours": {"n": 5, "p50_ms": 2.0, "p95_ms": 3.0}}
    block |= {side: {"p50_ms": p50, "p95_ms": p50 * 2} for side, p50 in sides.items()}
    return block


def test_statements_sent_compare_with_their_bare_replay() -> None:
    assert _engine_reference(_op(3, engine=1.0, cypher=9.0))["p50_ms"] == 1.0


def test_answered_from_memory_compares_with_the_engines_own_walk() -> None:
    assert _engine_reference(_op(0, engine=0.01, cypher=8.0))["p50_ms"] == 8.0
    assert _engine_reference(_op(0, engine=0.01, from_engine=4.0))["p50_ms"] == 4.0
    assert _engine_reference(_op(0, engine=0.01)) is None


def test_the_latency_table_uses_the_same_reference() -> None:
    results = {
        "sizes": {
            "1000": {
                "store": {"ops": {"neighbourhood": _op(0, engine=0.01, cypher=8.0)}},
                "networkx": {"ops": {}},
            }
        }
    }
    table = "\n".join(_latency(results))
    assert "0.25×" in table
    assert "200.00×" not in table
