"""Vocabulary files (MeSH XML and tables, PubTator) and their import: formats, bad input, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import LoadError
from graph.vocab_store import VocabularyStore
from loaders.mesh import read_mesh_table, read_mesh_xml
from loaders.pubtator import read_pubtator, to_pubmed_xml

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"


def _descriptor(ui: str, name: str, trees: list[str], terms: list[str]) -> str:
    tree_xml = "".join(f"<TreeNumber>{t}</TreeNumber>" for t in trees)
    term_xml = "".join(f"<Term><String>{t}</String></Term>" for t in terms)
    return (
        f'<DescriptorRecord DescriptorClass="1"><DescriptorUI>{ui}</DescriptorUI>'
        f"<DescriptorName><String>{name}</String></DescriptorName>"
        f"<TreeNumberList>{tree_xml}</TreeNumberList>"
        f"<ConceptList><Concept><TermList>{term_xml}</TermList></Concept></ConceptList></DescriptorRecord>"
    )


def _mesh_xml(tmp_path: Path, *records: str, name: str = "desc2015.xml") -> Path:
    path = tmp_path / name
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE DescriptorRecordSet SYSTEM "desc2015.dtd">\n'
        '<DescriptorRecordSet LanguageCode="eng">' + "".join(records) + "</DescriptorRecordSet>\n",
        encoding="utf-8",
    )
    return path


HYPOTENSION = _descriptor(
    "D007022", "Hypotension", ["C14.907.514"], ["Hypotension", "Low Blood Pressure", "Blood Pressure, Low"]
)
LABETALOL = _descriptor("D007741", "Labetalol", ["D02.033.100.291.300"], ["Labetalol", "Trandate", "Labetolol"])


def test_descriptor_xml_gives_names_entry_terms_trees_and_kind(tmp_path):
    records = list(read_mesh_xml(_mesh_xml(tmp_path, HYPOTENSION, LABETALOL)))
    assert [(r.mesh, r.name, r.kind) for r in records] == [
        ("D007022", "Hypotension", "Condition"),
        ("D007741", "Labetalol", "Drug"),
    ]
    assert "Low Blood Pressure" in records[0].terms


def test_import_then_stats_and_entries(tmp_path):
    store = VocabularyStore(tmp_path / "v.sqlite")
    report = store.import_mesh(read_mesh_xml(_mesh_xml(tmp_path, HYPOTENSION, LABETALOL)), file="desc2015.xml")
    assert report.records == 2
    stats = store.stats()
    assert stats.concepts == {"Condition": 1, "Drug": 1}
    assert {e.term for e in store.entries() if e.mesh == "D007741"} >= {"labetalol", "trandate"}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('<?xml version="1.0"?><DescriptorRecordSet><DescriptorRecord><DescriptorUI>D000001', "truncated"),
        ('<?xml version="1.0"?><QualifierRecordSet></QualifierRecordSet>', "qualifier file"),
        ('<?xml version="1.0"?><DescriptorRecordSet></DescriptorRecordSet>', "holds no records"),
        (
            '<?xml version="1.0"?><DescriptorRecordSet><DescriptorRecord><DescriptorUI>1234</DescriptorUI>'
            "</DescriptorRecord></DescriptorRecordSet>",
            "another MeSH year",
        ),
        (
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><DescriptorRecordSet>&a;</DescriptorRecordSet>',
            "refused",
        ),
        ("", "empty"),
    ],
)
def test_broken_mesh_xml_is_a_clear_error_and_imports_nothing(tmp_path, content, expected):
    store = VocabularyStore(tmp_path / "v.sqlite")
    store.import_mesh(read_mesh_xml(_mesh_xml(tmp_path, HYPOTENSION, name="good.xml")), file="good.xml")
    before = store.stats()
    bad = tmp_path / "bad.xml"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(LoadError, match=expected) as info:
        store.import_mesh(read_mesh_xml(bad), file=str(bad))
    assert "bad.xml" in str(info.value)
    assert store.stats() == before  # all or nothing: the earlier import is intact, nothing half-written


def test_error_late_in_a_file_rolls_back_the_records_before_it(tmp_path):
    store = VocabularyStore(tmp_path / "v.sqlite")
    path = _mesh_xml(
        tmp_path, HYPOTENSION, LABETALOL, "<DescriptorRecord><DescriptorUI>D1</DescriptorUI></DescriptorRecord>"
    )
    with pytest.raises(LoadError, match="record 3"):
        store.import_mesh(read_mesh_xml(path), file=str(path))
    assert store.stats().concepts == {}


def test_large_descriptor_file_streams(tmp_path):
    records = [_descriptor(f"D{i:06d}", f"Term {i}", ["C01.001"], [f"Term {i}", f"Synonym {i}"]) for i in range(5_000)]
    store = VocabularyStore(tmp_path / "v.sqlite")
    report = store.import_mesh(read_mesh_xml(_mesh_xml(tmp_path, *records)), file="big.xml")
    assert report.records == 5_000


def test_mesh_table_and_its_errors(tmp_path):
    good = tmp_path / "trees.tsv"
    good.write_text(
        "mesh_id\tmesh_name\tmesh_tree_number\nD007022\tHypotension\tC14.907.514\nD007741\tLabetalol\tD02.033\n"
    )
    assert [(r.mesh, r.kind) for r in read_mesh_table(good)] == [("D007022", "Condition"), ("D007741", "Drug")]
    cases = {
        "id\tname\nD1\tx\n": "expected a header",
        "mesh_id\tmesh_name\nX123\tfoo\n": ":2: 'X123' is not a MeSH id",
        "mesh_id\tmesh_name\tmesh_tree_number\nD000001\ta\tC01\nD000002\tb\tC01\nD000001\ta\tC02\n": "adjacent",
        "mesh_id\tmesh_name\n": "no rows",
    }
    for content, expected in cases.items():
        bad = tmp_path / "bad.tsv"
        bad.write_text(content)
        with pytest.raises(LoadError, match=expected):
            list(read_mesh_table(bad))
    binary = tmp_path / "bin.tsv"
    binary.write_bytes(b"mesh_id\tmesh_name\nD000001\t\xff\xfe\n")
    with pytest.raises(LoadError, match="not UTF-8"):
        list(read_mesh_table(binary))


PUBTATOR = (
    "1|t|Labetalol-induced hypotension.\n"
    "1|a|Hypotension after labetalol.\n"
    "1\t0\t9\tLabetalol\tChemical\tD007741\n"
    "1\t18\t29\thypotension\tDisease\tD007022\n"
    "1\t31\t42\tHypotension\tDisease\tD007022\n"
    "1\tCID\tD007741\tD007022\n"
)


def test_pubtator_import_learns_names_and_known_pairs(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(PUBTATOR + "\n")
    store = VocabularyStore(tmp_path / "v.sqlite")
    store.import_annotations(read_pubtator(path), file=str(path))
    assert {(e.term, e.mesh) for e in store.entries()} == {("labetalol", "D007741"), ("hypotension", "D007022")}
    assert store.known_relations() == {("D007741", "D007022")}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("1|t|Title\n1\t0\t5\tTitle\tChemical\n", ":2: expected PMID"),
        ("1|t|Title\n1\t0\t3\tTitle\tChemical\tD000001\n", "do not fit the mention"),
        ("1|t|Title\n2\t0\t5\tTitle\tChemical\tD000001\n", "before annotations"),
        ("1|a|Only an abstract\n", "no title line"),
        ("\n\n", "empty"),
    ],
)
def test_broken_pubtator_names_the_line_and_imports_nothing(tmp_path, content, expected):
    path = tmp_path / "bad.txt"
    path.write_text(content)
    store = VocabularyStore(tmp_path / "v.sqlite")
    with pytest.raises(LoadError, match=expected):
        store.import_annotations(read_pubtator(path), file=str(path))
    assert store.stats().terms == 0


def test_pubtator_to_pubmed_xml_escapes_markup(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("9|t|A <b>bold</b> & title\n9|a|x < y\n")
    (rec,) = read_pubtator(path)
    xml = to_pubmed_xml([rec])
    assert "A &lt;b&gt;bold&lt;/b&gt; &amp; title" in xml and "<AbstractText>x &lt; y</AbstractText>" in xml


@pytest.mark.skipif(not (SHARED / "vocab" / "mesh").is_dir(), reason="../shared/vocab/mesh is not here")
def test_the_shared_subset_file_is_truncated_and_refused_clearly():
    # desc2015-subset.xml holds the first 1,000 lines of NLM's file: the importer must say so, not guess
    with pytest.raises(LoadError, match="truncated or damaged"):
        list(read_mesh_xml(SHARED / "vocab" / "mesh" / "desc2015-subset.xml"))


def test_hostile_pubtator_input_is_refused_by_line(tmp_path):
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"1|t|" + b"a" * 300_000 + b"\n")
    with pytest.raises(LoadError, match=":1: line is"):
        list(read_pubtator(huge))
    latin = tmp_path / "latin.txt"
    latin.write_bytes("1|t|Caf\u00e9 title\n".encode("latin-1"))
    with pytest.raises(LoadError, match=":1: not UTF-8"):
        list(read_pubtator(latin))


def test_overlong_entry_terms_are_left_out(tmp_path):
    record = _descriptor("D007022", "Hypotension", ["C14.907.514"], ["Hypotension", "x" * 400])
    (rec,) = read_mesh_xml(_mesh_xml(tmp_path, record))
    assert rec.terms == ("Hypotension",)


def test_pubtator_import_counts_each_concepts_roles_per_abstract(tmp_path):
    """Named in two abstracts, caused in one of them: the disease's rate as an effect is learned, not assumed."""
    second = "2|t|Hypotension treated\n2|a|Labetalol lowered pressure.\n2\t0\t11\tHypotension\tDisease\tD007022\n"
    path = tmp_path / "a.txt"
    path.write_text(PUBTATOR + "\n" + second + "\n")
    store = VocabularyStore(tmp_path / "v.sqlite")
    store.import_annotations(read_pubtator(path), file=str(path))
    store.import_annotations(read_pubtator(path), file=str(path))  # a second import adds up
    roles = store.concept_roles()
    assert roles["D007022"] == (4, 0, 2)
    assert roles["D007741"] == (2, 2, 0)
    from loaders.text.recognize import Recognizer

    cause, effect = Recognizer(concept_roles=roles).rates("D007741", "D007022")
    assert cause > 0.5 > effect > 0.25  # smoothed: an unseen concept gets 0.25
    assert Recognizer().rates("D000001", "D000002") == (0.25, 0.25)


def test_concept_roles_of_a_vocabulary_imported_before_they_were_counted(tmp_path):
    import sqlite3

    path = tmp_path / "v.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE concepts (mesh TEXT PRIMARY KEY, name TEXT, kind TEXT, trees TEXT)")
    conn.commit()
    conn.close()
    assert VocabularyStore(path).concept_roles() == {}
