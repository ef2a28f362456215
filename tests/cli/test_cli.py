"""``evx`` as a person uses it: every command, and every way input can be wrong."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from graph.export import READERS
from tests.conftest import SAMPLES
from ui.cli.main import app

CURATED = SAMPLES / "curated_mecasermin_example.yaml"


@pytest.fixture
def evx(tmp_path: Path):
    runner = CliRunner()
    store = tmp_path / "store"

    def run(*args: str) -> object:
        return runner.invoke(app, ["--store", str(store), *args], catch_exceptions=False)

    return run


def _count(evx, cypher: str) -> int:
    result = evx("query", cypher, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["rows"][0]["n"]


def test_help_on_every_command() -> None:
    runner = CliRunner()
    for command in ([], ["load"], ["query"], ["export"], ["stats"]):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0, command
        assert "Usage" in result.stdout


def test_load_twice_leaves_counts_unchanged(evx) -> None:
    first = evx("load", str(CURATED))
    assert first.exit_code == 0, first.output
    assert "curated_mecasermin_example" in first.stdout
    nodes = _count(evx, "MATCH (n) RETURN count(n) AS n")
    edges = _count(evx, "MATCH ()-[r]->() RETURN count(r) AS n")
    second = evx("load", str(CURATED))
    assert second.exit_code == 0
    assert "0 documents loaded, 1 already loaded" in second.stdout
    assert _count(evx, "MATCH (n) RETURN count(n) AS n") == nodes
    assert _count(evx, "MATCH ()-[r]->() RETURN count(r) AS n") == edges


def test_stats(evx) -> None:
    evx("load", str(CURATED))
    result = evx("stats")
    assert result.exit_code == 0
    assert "1 document\n" in result.stdout
    assert "Guideline" in result.stdout and "SUPPORTS" in result.stdout


def test_load_samples_loads_every_supported_sample(evx) -> None:
    result = evx("load", "--samples")
    assert "curated_mecasermin_example" in result.stdout
    assert _count(evx, "MATCH (d:Drug {id: 'drug:mecasermin'}) RETURN count(d) AS n") == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"\x00\x01\x02binary\xff" * 50, "binary data"),
        (b"just some words that are no known format\n", "no loader recognises this file"),
        (b"evx: curated/1\nsource:\n  title: T\nnodes:\n  - kind: Planet\n    name: x\n", ":5:kind: unknown kind"),
    ],
)
def test_bad_files_fail_clearly_and_store_nothing(evx, tmp_path: Path, content: bytes, message: str) -> None:
    evx("load", str(CURATED))
    before = _count(evx, "MATCH (n) RETURN count(n) AS n")
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(content)
    result = evx("load", str(bad))
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert _count(evx, "MATCH (n) RETURN count(n) AS n") == before


def test_one_bad_file_does_not_stop_the_others(evx, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("nothing known\n")
    result = evx("load", str(bad), str(CURATED))
    assert result.exit_code == 1
    assert "1 of 2 files could not be loaded" in result.stderr
    assert _count(evx, "MATCH (s:Source) RETURN count(s) AS n") == 1


def test_missing_file_and_nothing_to_load(evx, tmp_path: Path) -> None:
    result = evx("load", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 1 and "no such file" in result.stderr
    result = evx("load")
    assert result.exit_code == 2 and "nothing to load" in result.stderr


def test_query_table_json_and_limit(evx) -> None:
    evx("load", str(CURATED))
    table = evx("query", "MATCH (d:Drug) RETURN d.name AS name")
    assert table.exit_code == 0 and "mecasermin" in table.stdout
    capped = evx("query", "MATCH (n) RETURN n.id AS id", "--limit", "2", "--format", "json")
    data = json.loads(capped.stdout)
    assert len(data["rows"]) == 2 and data["truncated"] is True


def test_query_write_needs_write_flag(evx) -> None:
    evx("load", str(CURATED))
    refused = evx("query", "MATCH (d:Drug) SET d.name = 'x'")
    assert refused.exit_code == 1
    assert "refused" in refused.stderr and "--write" in refused.stderr
    assert _count(evx, "MATCH (d:Drug {name: 'mecasermin'}) RETURN count(d) AS n") == 1
    allowed = evx("query", "MATCH (d:Drug) SET d.atc = 'CHANGED'", "--write")
    assert allowed.exit_code == 0, allowed.output
    assert _count(evx, "MATCH (d:Drug {atc: 'CHANGED'}) RETURN count(d) AS n") == 1


def test_query_syntax_error_has_position_and_hint(evx) -> None:
    evx("load", str(CURATED))
    bad = evx("query", "MATCH (d:Drug RETURN d")
    assert bad.exit_code == 1 and "at column" in bad.stderr
    neo = evx("query", "MATCH (a)-[r]->(b) RETURN type(r)")
    assert neo.exit_code == 1 and "label(r)" in neo.stderr


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_export_all_round_trips(evx, tmp_path: Path, fmt: str) -> None:
    evx("load", str(CURATED))
    out = tmp_path / f"all.{fmt}"
    result = evx("export", "--all", "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    from graph.export import read

    g = read(fmt, out)
    assert "drug:mecasermin" in g
    assert any(d.get("type") == "SUPPORTS" for *_, d in g.edges(data=True))


def test_export_graphml_opens_with_networkx(evx, tmp_path: Path) -> None:
    evx("load", str(CURATED))
    out = tmp_path / "all.graphml"
    assert evx("export", "--all", "--format", "graphml", "-o", str(out)).exit_code == 0
    g = nx.read_graphml(out)
    assert g.nodes["drug:mecasermin"]["name"] == "mecasermin"


def test_export_from_a_synonym_with_hops(evx, tmp_path: Path) -> None:
    evx("load", str(CURATED))
    out = tmp_path / "n.json"
    result = evx("export", "--from", "Increlex", "--hops", "1", "--format", "json", "-o", str(out))
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    ids = {n["id"] for n in data["nodes"]}
    assert "drug:mecasermin" in ids and "outcome:hypoglycemia" in ids


def test_export_refuses_existing_file_unless_forced(evx, tmp_path: Path) -> None:
    evx("load", str(CURATED))
    out = tmp_path / "x.json"
    out.write_text("keep me")
    refused = evx("export", "--all", "--format", "json", "-o", str(out))
    assert refused.exit_code == 1 and "--force" in refused.stderr
    assert out.read_text() == "keep me"
    assert evx("export", "--all", "--format", "json", "-o", str(out), "--force").exit_code == 0
    assert json.loads(out.read_text())["nodes"]


def test_export_argument_errors(evx, tmp_path: Path) -> None:
    evx("load", str(CURATED))
    both = evx("export", "--all", "--from", "x", "--format", "json", "-o", str(tmp_path / "a.json"))
    assert both.exit_code == 2
    unknown = evx("export", "--all", "--format", "pdf", "-o", str(tmp_path / "a.pdf"))
    assert unknown.exit_code == 1 and "choose one of" in unknown.stderr
    missing = evx("export", "--from", "paracetamol", "--format", "json", "-o", str(tmp_path / "b.json"))
    assert missing.exit_code == 1 and "no node called 'paracetamol'" in missing.stderr


def test_corrupt_store_directory(tmp_path: Path) -> None:
    store = tmp_path / "store"
    store.mkdir()
    (store / "evidence.lbdb").write_bytes(b"\x00garbage" * 100)
    result = CliRunner().invoke(app, ["--store", str(store), "stats"])
    assert result.exit_code == 1
    assert "the database file is damaged (" in result.stderr
    assert "restore it from backup, or point --store at a new directory" in result.stderr


def test_locked_store_suggests_read_only(tmp_path: Path) -> None:
    store = tmp_path / "store"
    CliRunner().invoke(app, ["--store", str(store), "load", str(CURATED)])
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"from graph.store.ladybug.store import LadybugStore as S; s = S({str(store)!r}); "
            "print('ready', flush=True); import time; time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        locked = CliRunner().invoke(app, ["--store", str(store), "load", str(CURATED)])
        assert locked.exit_code == 1 and "--read-only" in locked.stderr
        reading = CliRunner().invoke(app, ["--store", str(store), "--read-only", "stats"])
        assert reading.exit_code == 0 and "1 document\n" in reading.stdout
    finally:
        holder.kill()
        holder.wait()


def test_store_from_environment(tmp_path: Path) -> None:
    store = tmp_path / "envstore"
    result = CliRunner().invoke(app, ["load", str(CURATED)], env={"EVX_STORE": str(store)})
    assert result.exit_code == 0, result.output
    assert (store / "evidence.lbdb").exists()


def test_console_script_is_installed(tmp_path: Path) -> None:
    evx_bin = Path(sys.executable).with_name("evx")
    result = subprocess.run([str(evx_bin), "load", "--store", str(tmp_path / "s"), str(CURATED)], capture_output=True)
    assert result.returncode == 0, result.stderr
    result = subprocess.run([str(evx_bin), "--store", str(tmp_path / "s"), "stats"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "1 document\n" in result.stdout


def test_stats_of_a_missing_store_refuses_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = CliRunner().invoke(app, ["--store", str(missing), "stats"])
    assert result.exit_code == 1
    assert "holds no evidence store" in result.stderr and "load documents first" in result.stderr
    assert not missing.exists()


def test_export_carries_curators_corrections(evx, tmp_path: Path) -> None:
    evx("load", str(CURATED))
    supports = json.loads(
        evx("query", "MATCH (g:Guideline)-[r:SUPPORTS]->(f) RETURN r.id AS id", "--format", "json").stdout
    )["rows"][0]["id"]
    curated = evx("curate", "reject", supports, "--curator", "A. Curator", "--reason", "package insert, not a study")
    assert curated.exit_code == 0, curated.output
    out = tmp_path / "curated.json"
    assert evx("export", "--all", "--format", "json", "-o", str(out)).exit_code == 0
    edge = next(e for e in json.loads(out.read_text())["edges"] if e.get("id") == supports)
    assert edge["curation_status"] == "rejected"
    assert edge["curated_by"] == "A. Curator"
