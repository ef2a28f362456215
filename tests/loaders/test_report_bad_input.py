"""Bad input: keep what can be read, report each problem with its line, never invent a value."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.errors import LoadError
from graph.model import NodeKind
from graph.store.memory import MemoryStore
from loaders import load_path
from loaders.report import ReportLoader, parse_report

DATA = Path(__file__).parents[1] / "data" / "reports"
SAMPLE = Path(__file__).parents[2] / "loaders" / "samples" / "shb_mecasermine_diabetes.txt"
LOADER = ReportLoader()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_empty_file(tmp_path):
    with pytest.raises(LoadError, match="empty"):
        list(LOADER.load(write(tmp_path, "empty.txt", b"  \n")))


def test_binary_file(tmp_path):
    with pytest.raises(LoadError, match="binary"):
        list(LOADER.load(write(tmp_path, "blob.txt", b"CONCLUSIE\x00\x01\x02" * 50)))


def test_text_that_is_not_a_report_raises_with_path_and_line(tmp_path):
    path = write(tmp_path, "note.txt", b"Just a note about nothing.\n")
    with pytest.raises(LoadError) as err:
        list(LOADER.load(path))
    assert (err.value.path, err.value.line) == (str(path), 1)
    assert "CONCLUSIE" in err.value.reason


def test_report_without_a_drug_raises_and_the_store_stays_untouched(tmp_path):
    text = "CONCLUSIE\nWel bewaken.\nPICO\nP(atient) Patiënt met diabetes\nI(ntervention)  \n"
    store = MemoryStore()
    before = store.graph.number_of_nodes()
    with pytest.raises(LoadError) as err:
        store.ingest(parse_report(text, path="x.txt"))
    assert err.value.line == 3 and err.value.field == "pico_intervention"
    assert store.graph.number_of_nodes() == before


def test_truncated_report_keeps_what_it_read(tmp_path):
    text = SAMPLE.read_text(encoding="utf-8")
    cut = text.index("Prospectieve studie")  # in the middle of Bang 2021's row
    (doc,) = load_path(write(tmp_path, "cut.txt", text[:cut].encode()))
    studies = {n.name for n in doc.nodes if n.kind is NodeKind.STUDY}
    assert studies == {"Ekström 2015", "Mohamed-Ali 2002", "Khwaja 2014", "Bang 2021"}
    line = text[: text.index("Bang P, Woelfle J")].count("\n") + 1
    assert f"line {line}: study 'Bang 2021' has no 'Resultaten' block (truncated?)" in doc.warnings
    assert all(n.kind is not NodeKind.GUIDELINE for n in doc.nodes)


def test_windows_1252_report(tmp_path):
    text = (DATA / "prednisolon_diabetes.txt").read_text(encoding="utf-8").replace("⚫⚫⚫◯", "")
    (doc,) = load_path(write(tmp_path, "cp1252.txt", text.encode("cp1252")))
    assert doc.warnings[0] == "line 5: not UTF-8; read as Windows-1252"  # "patiënten"
    assert doc.source.props["pico_population"] == "Patiënt met diabetes mellitus type 2"
    visser = next(n for n in doc.nodes if n.name == "Visser 2019")
    assert visser.props["results"].startswith("• 84 patiënten met DM2")


def test_study_block_without_citation_is_reported_not_invented(tmp_path):
    text = (DATA / "dupilumab_eczeem_reordered.txt").read_text(encoding="utf-8")
    garbled = "Onleesbare bron zonder auteurs\nen zonder jaartal\n\nRCT\n\nResultaten\n• Bij 3 van de 9 patiënten (33%) ontstond conjunctivitis.\n"
    text = text.replace("Hendriks AB, Mulder C.", garbled + "Hendriks AB, Mulder C.")
    (doc,) = load_path(write(tmp_path, "garbled.txt", text.encode()))
    line = text[: text.index("Onleesbare")].count("\n") + 1
    assert (
        f"line {line}: study block without a recognisable citation (expected 'Surname AB, ... year'); skipped"
        in doc.warnings
    )
    assert {n.name for n in doc.nodes if n.kind is NodeKind.STUDY} == {"Hendriks 2020"}
    assert 33.0 not in {n.props.get("value") for n in doc.nodes if n.kind is NodeKind.FIGURE}


def test_second_results_block_without_citation_is_cut_from_the_previous_row(tmp_path):
    text = (DATA / "dupilumab_eczeem_reordered.txt").read_text(encoding="utf-8")
    extra = "\nOnbekende studie zonder auteurs\n\nCase report\n\nResultaten\n• Eén patiënt kreeg conjunctivitis.\n"
    text = text.replace("• Geen controlegroep.  \n", "• Geen controlegroep.  \n" + extra)
    (doc,) = load_path(write(tmp_path, "two.txt", text.encode()))
    line = text[: text.index("Resultaten\n• Eén")].count("\n") + 1
    assert any(w.startswith(f"line {line}: study block without a recognisable citation") for w in doc.warnings)
    hendriks = next(n for n in doc.nodes if n.name == "Hendriks 2020")
    assert "Eén patiënt" not in (hendriks.props.get("reviewer_remarks") or "")


def test_percentage_without_denominator_is_kept_and_warned(tmp_path):
    text = (DATA / "dupilumab_eczeem_reordered.txt").read_text(encoding="utf-8")
    text = text.replace("• Hoofdpijn werd niet waargenomen.", "• Conjunctivitis trad op bij 18% van de patiënten.")
    (doc,) = load_path(write(tmp_path, "pct.txt", text.encode()))
    fig = next(n for n in doc.nodes if n.kind is NodeKind.FIGURE and n.props["value"] == 18.0)
    assert fig.props.get("denominator") is None and fig.props.get("numerator") is None
    line = text[: text.index("18%")].count("\n") + 1
    assert f"line {line}: '18%' has no denominator (no n= nearby); kept without one" in doc.warnings


def test_unknown_design_is_kept_as_written_with_a_warning(tmp_path):
    text = (
        (DATA / "dupilumab_eczeem_reordered.txt")
        .read_text(encoding="utf-8")
        .replace("Prospectieve studie", "Pilotonderzoek")
    )
    (doc,) = load_path(write(tmp_path, "design.txt", text.encode()))
    assert next(n for n in doc.nodes if n.name == "Hendriks 2020").props["design"] == "Pilotonderzoek"
    assert any("unknown study design 'Pilotonderzoek'" in w for w in doc.warnings)


def test_pdf_without_text_layer(tmp_path):
    fpdf = pytest.importorskip("fpdf", reason="fpdf2 (dev extra) writes the test PDF")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 50, 50)  # a drawing, no text: what a scan without OCR looks like
    path = write(tmp_path, "scan.pdf", bytes(pdf.output()))
    with pytest.raises(LoadError, match=r"no text layer \(scanned\?\)"):
        load_path(path)


def test_broken_pdf(tmp_path):
    with pytest.raises(LoadError, match="not a readable PDF"):
        load_path(write(tmp_path, "broken.pdf", b"%PDF-1.7\nthis is not really a pdf\n"))


def test_trial_digests_are_not_claimed():
    digest = Path(__file__).parents[2] / "loaders" / "samples" / "trial_digest_NCT00330668.txt"
    assert not LOADER.sniff(digest, digest.read_bytes()[:65536])


def test_pdf_with_an_unknown_stream_filter(tmp_path):
    """pypdf raises NotImplementedError for a filter it does not know; that is an unreadable PDF."""
    fpdf = pytest.importorskip("fpdf", reason="fpdf2 (dev extra) writes the test PDF")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="CONCLUSIE Wel bewaken")
    data = bytes(pdf.output()).replace(b"/FlateDecode", b"/XlateDecode")
    path = tmp_path / "odd-filter.pdf"
    path.write_bytes(data)
    with pytest.raises(LoadError, match="not a readable PDF"):
        load_path(path)
