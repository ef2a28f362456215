"""Curated YAML: what researchers write by hand, with errors that name file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import LoadError
from graph.store.memory import MemoryStore
from loaders import detect, load_path
from loaders.curated import parse_curated

HEADER = "evx: curated/1\nsource:\n  title: Test\n"


def test_sample_loads_with_every_fact(curated_sample: Path) -> None:
    (doc,) = load_path(curated_sample)
    kinds = doc.counts()
    assert kinds["Guideline"] == 1 and kinds["Finding"] == 1 and kinds["Figure"] == 1
    guideline = next(n for n in doc.nodes if n.kind == "Guideline")
    assert guideline.id == "guideline:doi:10.1159/000452150"
    assert guideline.props["strength"] == "Strong recommendation"
    supports = next(e for e in doc.edges if e.type == "SUPPORTS")
    text = doc.source.props["text"]
    start, end = supports.provenance.span
    assert text[start:end] == supports.provenance.quote
    assert all(e.target == doc.source.id for e in doc.edges if e.type == "FROM_SOURCE")


def test_finding_shorthand_adds_about_and_population_edges() -> None:
    doc = parse_curated(
        HEADER
        + "nodes:\n  - kind: Finding\n    drug: Increlex\n    outcome: hypoglykemie\n    population: Laronsyndroom\n"
    )
    about = {(e.type.value, e.target) for e in doc.edges if e.type in ("ABOUT", "IN_POPULATION")}
    assert about == {
        ("ABOUT", "drug:mecasermin"),
        ("ABOUT", "outcome:hypoglycemia"),
        ("IN_POPULATION", "condition:laron-syndrome"),
    }


@pytest.mark.parametrize(
    ("body", "message", "line", "field"),
    [
        ("nodes:\n  - kind: Planet\n    name: x\n", "unknown kind 'Planet'", 5, "kind"),
        ("nodes:\n  - kind: Study\n    name: x\n    colour: red\n", "has no property 'colour'", 7, "colour"),
        ("nodes:\n  - kind: Study\n    name: x\n    n: many\n", "expected a whole number", 7, "n"),
        ("nodes:\n  - kind: Study\n", "every node needs a name", 5, "name"),
        ("edges:\n  - type: LIKES\n    from: a\n    to: b\n", "unknown edge type 'LIKES'", 5, "type"),
        ("edges:\n  - type: SUPPORTS\n    from: nobody\n    to: x\n", "'nobody' is neither", 6, "from"),
        (
            "nodes:\n  - kind: Study\n    name: S\nedges:\n  - type: SUPPORTS\n    from: S\n    to: mecasermin\n",
            "SUPPORTS is not allowed from Study to Drug",
            8,
            "type",
        ),
        ("nodes: 3\n", "`nodes` must be a list", 4, "nodes"),
    ],
)
def test_errors_name_file_line_and_field(body: str, message: str, line: int, field: str) -> None:
    with pytest.raises(LoadError) as info:
        parse_curated(HEADER + body, path="cur.yaml")
    err = info.value
    assert message in str(err)
    assert (err.path, err.line, err.field) == ("cur.yaml", line, field)
    assert str(err).startswith(f"cur.yaml:{line}:{field}: ")


def test_quote_must_be_verbatim_in_given_text() -> None:
    doc = parse_curated(
        "evx: curated/1\nsource:\n  title: T\n  text: Only this sentence.\n"
        "nodes:\n  - kind: Study\n    name: S\n    quote: not in the text\n"
    )
    assert any("not found verbatim" in w for w in doc.warnings)
    study = next(n for n in doc.nodes if n.kind == "Study")
    assert study.provenance.quote is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "expected a mapping"),
        ("just words", "expected a mapping"),
        ("evx: curated/2\n", "expected a mapping with `evx: curated/1`"),
        ("evx: curated/1\nsource: {}\n", "a title is required"),
        ("evx: curated/1\nsource:\n  title: [unclosed\n", "not valid YAML"),
        ("evx: curated/1\nsource:\n  title: !!python/object:os.system x\n", "not valid YAML"),
        ("evx: curated/1\na: &x [1]\nb: *x\n", "anchors and aliases are not allowed"),
    ],
)
def test_broken_and_hostile_yaml(text: str, message: str) -> None:
    with pytest.raises(LoadError, match=message):
        parse_curated(text)


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    lines = ["evx: curated/1", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(LoadError, match="aliases are not allowed"):
        load_path(path)


def test_file_level_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("   \n")
    with pytest.raises(LoadError, match="empty"):
        load_path(empty)
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"evx: curated/1\x00\x01\x02" * 10)
    with pytest.raises(LoadError, match="binary"):
        load_path(binary)
    with pytest.raises(LoadError, match="no such file"):
        load_path(tmp_path / "missing.yaml")
    plain = tmp_path / "plain.yaml"
    plain.write_text("a: 1\n")
    with pytest.raises(LoadError, match="no loader recognises"):
        detect(plain)


def test_windows_1252_file_loads_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "cp.yaml"
    path.write_bytes(
        "evx: curated/1\nsource:\n  title: Hypoglykemieën bij Laronsyndroom\nnodes:\n  - kind: Study\n    name: Martín\n".encode(
            "cp1252"
        )
    )
    (doc,) = load_path(path)
    assert doc.source.name == "Hypoglykemieën bij Laronsyndroom"
    assert any("Windows-1252" in w for w in doc.warnings)


def test_huge_curated_file_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import loaders.base

    monkeypatch.setattr(loaders.base, "MAX_RECORDS", 50)
    nodes = "".join(f"  - kind: Study\n    name: S{i}\n" for i in range(100))
    path = tmp_path / "many.yaml"
    path.write_text(HEADER + "nodes:\n" + nodes)
    with pytest.raises(LoadError, match="more than 50 records"):
        load_path(path)


def test_hostile_text_is_kept_as_text(tmp_path: Path) -> None:
    doc = parse_curated(
        HEADER + 'nodes:\n  - kind: Study\n    name: "<img src=x onerror=alert(1)>"\n'
        '    title: "\'); MATCH (n) DETACH DELETE n; //"\n'
    )
    store = MemoryStore()
    store.ingest(doc)
    study = next(n for n in doc.nodes if n.kind == "Study")
    assert store.node(study.id)["name"] == "<img src=x onerror=alert(1)>"
