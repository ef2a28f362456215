"""Fuzzing the loaders: real documents, mutated until they break, must fail cleanly or load whole.

Every case goes through :func:`loaders.load_path` (format detection included), so what is
tested is what `evx load` and the explorer's upload do.  A case passes when it either
yields valid documents or raises a project error (:class:`~graph.errors.EvidenceError`)
whose message names the file; anything else escaping (``KeyError``, ``RecursionError``,
``UnicodeError``, a parser's own exception…) fails the test, as does a case running past
:data:`~tests.reliability.support.HANG_S` seconds.

Sizes: about 3,000 cases in CI (derandomised), ten times that with ``EVX_LONG=1``.
"""

from __future__ import annotations

import copy
import io
import json
import re
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from graph.errors import EvidenceError, LoadError
from graph.model import Document
from graph.store.ladybug.store import LadybugStore
from loaders import load_path, pubmed
from loaders.base import MAX_RECORDS
from loaders.ctgov import stream as ctgov_stream
from tests.reliability.support import (
    CONFUSABLES,
    ENCODINGS,
    HOSTILE_STRINGS,
    TALLY,
    fuzz_settings,
    memory_limit,
    seeds,
    store_fingerprint,
    time_limit,
)

TEXT_SEEDS = seeds("loaders/samples/*.txt", "tests/data/reports/*.txt")
JSON_SEEDS = seeds("tests/data/ctgov/*.json", "tests/data/replay/ctgov/study_*.json", "../shared/fixtures/ctgov/*.json")
XML_SEEDS = seeds("tests/data/pubmed/*.xml", "tests/data/replay/pubmed/efetch_*.xml")
YAML_SEEDS = seeds("loaders/samples/*.yaml", "tests/data/*.yaml")


def _parses(path: Path, parse: Callable[[bytes], Any]) -> bool:
    try:
        parse(path.read_bytes())
    except Exception:
        return False
    return True


#: Seeds whose tree can be mutated (the truncated replay files are byte-mutation seeds only).
JSON_TREES = [p for p in JSON_SEEDS if _parses(p, json.loads)]
XML_TREES = [p for p in XML_SEEDS if _parses(p, ET.fromstring)]

_WORK = Path(tempfile.mkdtemp(prefix="evx-fuzz-"))
#: Documents that loaded from mutated input, kept (a few per format) to be ingested for real.
LOADED: dict[str, list[Document]] = {}


def check_case(data: bytes, name: str, fmt: str) -> list[Document]:
    """Load ``data`` as the file ``name``: valid documents, or a project error naming the file."""
    path = _WORK / name
    path.write_bytes(data)
    TALLY["fuzz cases"] += 1
    TALLY[f"fuzz cases: {fmt}"] += 1
    try:
        with time_limit():
            documents = load_path(path)
    except EvidenceError as exc:
        TALLY["fuzz cases refused with a project error"] += 1
        assert name in str(exc), f"the error does not name the file: {exc}"
        assert len(str(exc)) > len(str(path)) + 5, f"the error says nothing beyond the file name: {exc}"
        return []
    finally:
        path.unlink(missing_ok=True)
    for document in documents:
        assert isinstance(document, Document)
        assert len(document.all_nodes) + len(document.edges) <= MAX_RECORDS + len(document.all_nodes)
    TALLY["fuzz cases loaded"] += 1
    kept = LOADED.setdefault(fmt, [])
    if len(kept) < 6 and documents and all(d.source.id not in {k.source.id for k in kept} for d in documents):
        kept.extend(documents[:2])
    return documents


@pytest.fixture(autouse=True)
def _capped_memory(request: pytest.FixtureRequest) -> Iterator[None]:
    """Generation and loading both run under an address-space cap: a blow-up is a MemoryError
    (a failing case), not the shared machine's OOM killer.  The LadybugDB test reserves address
    space for its buffer pool, so it runs uncapped."""
    if request.node.name == "test_fuzzed_documents_that_loaded_ingest_whole":
        yield
        return
    with memory_limit(6 * 1024**3):
        yield


# -- mutations shared by every format -----------------------------------------------------------
def _confusable(text: str, draw: Callable[[Any], Any]) -> str:
    """Replace up to a dozen characters with look-alikes (Cyrillic, fullwidth, NBSP…)."""
    chars = list(text)
    positions = [i for i, c in enumerate(chars) if c in CONFUSABLES]
    if not positions:
        return text
    for _ in range(draw(st.integers(1, 12))):
        i = draw(st.sampled_from(positions))
        chars[i] = CONFUSABLES.get(chars[i], chars[i])
    return "".join(chars)


@st.composite
def byte_mutations(draw: Any, data: bytes) -> bytes:
    """Truncate, flip, insert or delete bytes (breaking multi-byte characters on purpose)."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "splice"]))
        at = draw(st.integers(0, max(len(out) - 1, 0)))
        if op == "truncate":
            del out[at:]
        elif op == "flip" and out:
            out[at] = draw(st.integers(0, 255))
        elif op == "insert":
            out[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif op == "delete":
            del out[at : at + draw(st.integers(1, 256))]
        elif op == "splice":
            other = draw(st.integers(0, max(len(out) - 1, 0)))
            out[at:at] = out[other : other + draw(st.integers(1, 512))]
    return bytes(out)


@st.composite
def encoded(draw: Any, text: str) -> bytes:
    """The text in a right or wrong encoding (characters it cannot hold replaced)."""
    encoding = draw(st.sampled_from(ENCODINGS))
    return text.encode(encoding, errors="replace")


@st.composite
def huge_line(draw: Any) -> str:
    """One very long line: a repeated token, a table row, or digits and percentages."""
    unit = draw(
        st.sampled_from(
            [
                "x",
                "51% ",
                "| a | b | c ",
                "n=21 ",
                "(",
                "[",
                "hypoglykemie ",
                "é",
                "12 of 40 (30%) ",
                "-",
                "A. ",
                "x, y; ",
                "HbA1c rose from 7.4% to 7.9%. ",
                "• 12 patients (30%) had hypoglycaemia ",
            ]
        )
    )
    size = draw(st.integers(1_000, 50_000) if draw(st.integers(0, 3)) else st.integers(50_000, 200_000))
    return unit * (size // len(unit))


# -- text: drug-disease reports and trial digests -------------------------------------------------
@st.composite
def mutated_text_document(draw: Any) -> tuple[bytes, str]:
    seed = draw(st.sampled_from(TEXT_SEEDS))
    lines = seed.read_text(encoding="utf-8").split("\n")
    for _ in range(draw(st.integers(1, 5))):
        op = draw(
            st.sampled_from(["delete", "duplicate", "swap", "hostile", "huge", "confusable", "truncate", "blank"])
        )
        i = draw(st.integers(0, max(len(lines) - 1, 0)))
        if op == "delete" and lines:
            del lines[i : i + draw(st.integers(1, 8))]
        elif op == "duplicate" and lines:
            lines[i:i] = [lines[i]] * draw(st.integers(1, 50))
        elif op == "swap" and lines:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "hostile":
            lines.insert(i, draw(st.sampled_from(HOSTILE_STRINGS)) + draw(st.text(max_size=40)))
        elif op == "huge":
            lines.insert(i, draw(huge_line()))
        elif op == "confusable" and lines:
            lines[i] = _confusable(lines[i], draw)
        elif op == "truncate":
            lines = lines[:i]
        elif op == "blank" and lines:
            lines[i] = re.sub(r"\S", " ", lines[i])
    text = "\n".join(lines)
    data = draw(encoded(text))
    if draw(st.integers(0, 3)) == 0:
        data = draw(byte_mutations(data))
    return data, seed.name


@given(case=mutated_text_document())
@fuzz_settings(900)
def test_fuzz_reports_and_digests(case: tuple[bytes, str]) -> None:
    data, seed = case
    check_case(data, f"fuzz-{seed}", "text")


# -- trees: ClinicalTrials.gov JSON and curated YAML -----------------------------------------------
HOSTILE_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=60),
    st.sampled_from(HOSTILE_STRINGS),
    st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=10)), max_size=5),
    st.dictionaries(st.text(max_size=10), st.one_of(st.none(), st.integers(), st.text(max_size=10)), max_size=4),
)


def _deep(depth: int, leaf: Any, *, as_list: bool) -> Any:
    value = leaf
    for _ in range(depth):
        value = [value] if as_list else {"a": value}
    return value


def _containers(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths of every dict and list in ``value`` (iteratively, in document order)."""
    found = []
    stack = [(value, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            found.append(where)
            stack.extend((v, (*where, k)) for k, v in reversed(list(node.items())))
        elif isinstance(node, list):
            found.append(where)
            stack.extend((v, (*where, i)) for i, v in reversed(list(enumerate(node))))
    return found


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


@st.composite
def mutated_tree(draw: Any, tree: Any) -> Any:
    """``tree`` with a few keys deleted, values replaced by hostile ones, lists blown up or nested deep."""
    tree = copy.deepcopy(tree)
    repeated = False  # one blow-up per tree: repeats of repeats grow exponentially (out of memory, not a finding)
    for _ in range(draw(st.integers(1, 6))):
        paths = _containers(tree)
        container = _at(tree, draw(st.sampled_from(paths)))
        keys = list(container) if isinstance(container, dict) else list(range(len(container)))
        if not keys:
            continue
        key = draw(st.sampled_from(keys))
        op = draw(st.sampled_from(["replace", "replace", "delete", "nest", "repeat", "rename", "confusable"]))
        if op == "replace":
            container[key] = draw(HOSTILE_VALUES)
        elif op == "delete":
            del container[key]
        elif op == "nest":
            container[key] = _deep(
                draw(st.integers(2, 300)), container[key], as_list=draw(st.booleans())
            )  # deeper: "deep"
        elif op == "repeat" and not repeated:
            container[key] = [container[key]] * draw(st.integers(2, 40))
            repeated = True
        elif op == "rename" and isinstance(container, dict):
            container[draw(st.sampled_from([*HOSTILE_STRINGS, "__line__", "evx", "kind"]))] = container.pop(key)
        elif op == "confusable" and isinstance(container[key], str):
            container[key] = _confusable(container[key], draw)
    return tree


@st.composite
def mutated_json_document(draw: Any) -> tuple[bytes, str]:
    style = draw(st.sampled_from(["tree", "tree", "tree", "bytes", "deep", "nonstandard"]))
    seed = draw(st.sampled_from(JSON_SEEDS if style == "bytes" else JSON_TREES))
    raw = seed.read_bytes()
    if style == "tree":
        data = json.dumps(draw(mutated_tree(json.loads(raw))), ensure_ascii=draw(st.booleans())).encode()
    elif style == "bytes":
        data = draw(byte_mutations(raw))
    elif style == "deep":
        depth = draw(st.integers(100, 20_000))  # deeper: see test_very_deep_json_is_refused_in_bounded_memory
        data = b'{"studies": ' + b"[" * depth + b"{}" + b"]" * draw(st.integers(0, depth)) + b"}"
    else:  # what json.dumps writes that JSON forbids, and escapes of lone surrogates
        tree = json.loads(raw)
        token = draw(st.sampled_from(["NaN", "Infinity", "-Infinity", '"\\ud800"', '"\\udfff x"', "1e999", "-0"]))
        text = json.dumps(tree).replace('"hasResults": true', f'"hasResults": {token}', 1)
        text = re.sub(r'"briefTitle": "[^"]*"', lambda _: f'"briefTitle": {token}', text, count=1)
        data = text.encode()
    if draw(st.integers(0, 4)) == 0:
        data = draw(encoded(data.decode("utf-8", errors="replace")))
    return data, seed.name


@given(case=mutated_json_document())
@fuzz_settings(700)
def test_fuzz_ctgov_json(case: tuple[bytes, str]) -> None:
    data, seed = case
    check_case(data, f"fuzz-{seed}", "json")


def _yaml_tree(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8", errors="replace"))


@st.composite
def mutated_yaml_document(draw: Any) -> tuple[bytes, str]:
    seed = draw(st.sampled_from(YAML_SEEDS))
    raw = seed.read_bytes()
    style = draw(st.sampled_from(["tree", "tree", "tree", "bytes", "deep", "tricks"]))
    if style == "tree":
        text = yaml.safe_dump(draw(mutated_tree(_yaml_tree(seed))), allow_unicode=draw(st.booleans()), width=10**9)
        data = text.encode("utf-8", errors="replace")
    elif style == "bytes":
        data = draw(byte_mutations(raw))
    elif style == "deep":
        depth = draw(st.integers(100, 100_000))
        opener, closer = draw(st.sampled_from([("[", "]"), ("{a: ", "}")]))
        data = b"evx: curated/1\nnodes: " + opener.encode() * depth + closer.encode() * depth + b"\n"
    else:  # YAML features a safe loader must refuse or survive
        trick = draw(
            st.sampled_from(
                [
                    "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n",
                    "x: !!python/object/apply:os.system ['echo hi']\n",
                    "x: !!binary AAAA\n",
                    "x: 0x7fffffffffffffffffffffff\n",
                    "x: .nan\ny: .inf\n",
                    "? [a, b]\n: c\n",
                    "x: 2001-12-14t21:59:43.10-05:00\n",
                    "x: '\\ud800'\ny: \"\\ud800\"\n",
                    "%YAML 1.1\n---\nx: y\n---\nz: w\n",
                    'x: "\\x00\\x1b"\n',
                ]
            )
        )
        data = raw + b"\n" + trick.encode()
    if draw(st.integers(0, 4)) == 0:
        data = draw(encoded(data.decode("utf-8", errors="replace")))
    return data, seed.name


@given(case=mutated_yaml_document())
@fuzz_settings(700)
def test_fuzz_curated_yaml(case: tuple[bytes, str]) -> None:
    data, seed = case
    check_case(data, f"fuzz-{seed}", "yaml")


# -- XML: PubMed --------------------------------------------------------------------------------
@st.composite
def mutated_xml_document(draw: Any) -> tuple[bytes, str]:
    style = draw(st.sampled_from(["tree", "tree", "tree", "bytes", "deep", "entities"]))
    seed = draw(st.sampled_from(XML_SEEDS if style == "bytes" else XML_TREES))
    raw = seed.read_bytes()
    if style == "tree":
        root = ET.fromstring(raw)
        for _ in range(draw(st.integers(1, 6))):
            elements = list(root.iter())
            elem = draw(st.sampled_from(elements))
            op = draw(st.sampled_from(["text", "drop", "duplicate", "attr", "nest", "retag", "confusable"]))
            parents = {c: p for p in root.iter() for c in p}
            if op == "text":
                elem.text = draw(st.one_of(st.sampled_from(HOSTILE_STRINGS), st.text(max_size=80), huge_line()))
            elif op == "drop" and elem in parents:
                parents[elem].remove(elem)
            elif op == "duplicate" and elem in parents and len(elements) < 5_000:
                for _ in range(draw(st.integers(1, 100))):
                    parents[elem].append(copy.deepcopy(elem))
            elif op == "attr":
                elem.set(draw(st.sampled_from(["IdType", "Label", "UI", "EIdType", "x"])), draw(st.text(max_size=20)))
            elif op == "nest":
                tag = draw(st.sampled_from(["AbstractText", "b", "i", "sup", "PubmedArticle"]))
                inner = elem
                for _ in range(draw(st.integers(2, 300))):  # deeper is the "deep" style (ET writes recursively)
                    inner = ET.SubElement(inner, tag)
                inner.text = "hypoglycaemia in 51% (n=21)"
            elif op == "retag":
                elem.tag = draw(
                    st.sampled_from(["PubmedArticle", "Article", "PMID", "AbstractText", "zz", "ArticleId"])
                )
            elif op == "confusable" and elem.text:
                elem.text = _confusable(elem.text, draw)
        buffer = io.BytesIO()
        ET.ElementTree(root).write(buffer, encoding="utf-8", xml_declaration=True)
        data = buffer.getvalue()
    elif style == "bytes":
        data = draw(byte_mutations(raw))
    elif style == "deep":
        depth = draw(st.integers(100, 100_000))
        data = (
            b"<PubmedArticleSet><PubmedArticle>"
            + b"<x>" * depth
            + b"</x>" * depth
            + b"</PubmedArticle></PubmedArticleSet>"
        )
    else:  # entity expansion and external entities must be refused, not expanded
        attack = draw(
            st.sampled_from(
                [
                    '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>',
                    '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
                    '<!DOCTYPE x SYSTEM "http://127.0.0.1:9/evil.dtd">',
                    '<?xml-stylesheet href="http://127.0.0.1:9/x.xsl"?>',
                ]
            )
        )
        text = raw.decode("utf-8")
        text = re.sub(r"<!DOCTYPE[^>]*>", "", text)
        head, sep, rest = text.partition("?>")
        body = rest.replace("<ArticleTitle>", "<ArticleTitle>&b;&e;", 1) if draw(st.booleans()) else rest
        data = (head + sep + attack + body if sep else attack + text).encode()
    if draw(st.integers(0, 5)) == 0:
        data = draw(encoded(data.decode("utf-8", errors="replace")))
    return data, seed.name


@given(case=mutated_xml_document())
@fuzz_settings(700)
def test_fuzz_pubmed_xml(case: tuple[bytes, str]) -> None:
    data, seed = case
    check_case(data, f"fuzz-{seed}", "xml")


# -- any bytes at all, under every suffix ------------------------------------------------------------
@given(
    data=st.one_of(st.binary(max_size=2048), st.text(max_size=512).map(lambda t: t.encode("utf-8", "surrogatepass"))),
    suffix=st.sampled_from([".txt", ".json", ".xml", ".yaml", ".yml", ".pdf", ".csv", ""]),
)
@fuzz_settings(300)
def test_fuzz_random_bytes_any_suffix(data: bytes, suffix: str) -> None:
    check_case(data, f"fuzz-random{suffix}", "random")


@pytest.fixture(scope="module")
def report_pdf() -> bytes:
    """The sample report as a PDF with a text layer (fpdf2), to fuzz the PDF path."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=9)
    text = (TEXT_SEEDS[0].parent / "shb_mecasermine_diabetes.txt").read_text(encoding="utf-8")
    pdf.multi_cell(0, 4, text.encode("latin-1", errors="replace").decode("latin-1"))
    return bytes(pdf.output())


def test_fuzz_pdf_reports(report_pdf: bytes) -> None:
    """Byte-mutated PDFs (truncated, flipped, spliced): loaded or refused, never a pypdf exception."""

    @given(data=byte_mutations(report_pdf))
    @fuzz_settings(150)
    def run(data: bytes) -> None:
        check_case(data, "fuzz-report.pdf", "pdf")

    run()


def test_a_fuzzed_error_names_the_file_and_line() -> None:
    """The shape every refusal above is held to, on one known-bad file."""
    path = _WORK / "broken.yaml"
    path.write_text("evx: curated/1\nsource: {title: x}\nnodes:\n  - kind: Nonsense\n    name: y\n", encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_path(path)
    assert info.value.path == str(path) and info.value.line == 4 and "unknown kind" in str(info.value)


def test_fuzzed_documents_that_loaded_ingest_whole() -> None:
    """Documents read from mutated input are stored whole: counts match, re-loading changes nothing."""
    documents = [d for kept in LOADED.values() for d in kept]
    if len(documents) < 5:  # when run alone, make some
        documents = [d for p in TEXT_SEEDS[:2] + JSON_SEEDS[:2] + YAML_SEEDS[:2] for d in load_path(p)]
    with LadybugStore() as store:
        for document in documents:
            before = store.stats()
            report = store.ingest(document)
            after = store.stats()
            if report.already_loaded:
                assert after == before
                continue
            assert after.documents == before.documents + 1
            assert after.edges.get("FROM_SOURCE", 0) - before.edges.get("FROM_SOURCE", 0) == len(
                [e for e in document.edges if e.type.value == "FROM_SOURCE"]
            )
            fingerprint = store_fingerprint(store)
            assert store.ingest(document).already_loaded
            assert store_fingerprint(store) == fingerprint
            TALLY["fuzzed documents ingested whole"] += 1


_DEEP = 100_000


def _refused_within_bounds(path: Path, expected: str) -> None:
    """``load_path`` refuses ``path`` with a LoadError naming it, within 10 s and 500 MB of resident growth."""
    process = psutil.Process()
    baseline = process.memory_info().rss
    peak = baseline
    done = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not done.wait(0.02):
            peak = max(peak, process.memory_info().rss)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    began = time.monotonic()
    try:
        with memory_limit(2 * 1024**3), pytest.raises(LoadError) as info:
            load_path(path)
    finally:
        done.set()
        watcher.join()
    seconds = time.monotonic() - began
    assert info.value.path == str(path) and expected in str(info.value)
    assert seconds < 10, f"refused after {seconds:.1f} s"
    assert peak - baseline < 500 * 2**20, f"resident memory grew by {(peak - baseline) / 2**20:.0f} MB"


def test_very_deep_json_is_refused_in_bounded_memory() -> None:
    path = _WORK / "deep.json"
    path.write_bytes(b'{"studies": ' + b"[" * _DEEP + b"{}" + b"]" * _DEEP + b"}")
    _refused_within_bounds(path, f"nested deeper than {ctgov_stream.MAX_DEPTH} levels")


def test_very_deep_pubmed_markup_is_refused_in_bounded_memory() -> None:
    path = _WORK / "deep.xml"
    path.write_bytes(
        b"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
        b"<ArticleTitle>T</ArticleTitle><Abstract><AbstractText>"
        + b"<i>" * _DEEP
        + b"x"
        + b"</i>" * _DEEP
        + b"</AbstractText></Abstract></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"
    )
    _refused_within_bounds(path, f"nested deeper than {pubmed.MAX_DEPTH} levels")


def test_nesting_at_the_bound_still_loads() -> None:
    """The bound refuses only what is deeper: a study with a value nested just inside it is read."""
    inner = ctgov_stream.MAX_DEPTH - 4  # the page, its list, the study and its section take four
    studies = [json.loads(p.read_text(encoding="utf-8")) for p in JSON_SEEDS if _parses(p, json.loads)]
    study = next((s for s in studies if isinstance(s, dict) and "protocolSection" in s), None)
    if study is None:
        pytest.skip("no single-study ClinicalTrials.gov seed")
    study["annotationSection"] = {"nested": json.loads("[" * inner + "]" * inner)}
    path = _WORK / "at_bound.json"
    path.write_text(json.dumps({"studies": [study]}), encoding="utf-8")
    assert load_path(path)
