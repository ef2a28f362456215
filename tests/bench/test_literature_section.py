"""The literature section of BENCHMARKS.md is regenerated without losing the held-out scores kept by hand."""

from __future__ import annotations

from bench.literature import ANALYSIS, BEGIN, END, render_section, replace_section

RESULTS = {
    "source": "synthetic",
    "load_before": (1.0, 1.0, 1.0),
    "abstracts": 10,
    "characters_per_abstract": 1000,
    "names": 100,
    "recognizer_build_s": 0.1,
    "mentions_per_abstract": 5.0,
    "recognise_per_s": 1000,
    "recognise_per_cpu_s": 1000,
    "loader_per_s": 300,
    "loader_per_cpu_s": 300,
    "claims_per_abstract": 1.0,
    "end_to_end_per_s": 100,
    "end_to_end_per_cpu_s": 100,
    "target_per_s": 200,
}


def test_the_hand_kept_analysis_is_appended_to_the_generated_section():
    section = render_section(RESULTS)
    assert section[0] == BEGIN and section[-1] == END
    assert ANALYSIS.read_text(encoding="utf-8").strip() in "\n".join(section)


def test_only_the_literature_section_is_replaced():
    old = "# Benchmarks\n\n## Literature: recognition and claims\n\nold table\n\n<!-- ingest:begin -->\nkept\n"
    once = replace_section(old, render_section(RESULTS))
    assert "old table" not in once and "<!-- ingest:begin -->\nkept\n" in once and once.startswith("# Benchmarks")
    twice = replace_section(once, render_section({**RESULTS, "loader_per_s": 301}))
    assert twice.count(BEGIN) == 1 and "| 301 |" in twice and "<!-- ingest:begin -->\nkept\n" in twice
