"""MeSH vocabulary files: NLM's descriptor XML (``desc20XX.xml``) and tab-separated tables.

NLM publishes MeSH as one XML file of ``DescriptorRecord``s (about 30,000; 300 MB): the
preferred name, every concept with its entry terms (the synonyms text uses), and the
tree numbers that place a descriptor in the hierarchy (C… diseases, D… chemicals and
drugs, F03 mental disorders).  Supplementary concept records (``supp20XX.xml``, the
C-numbered chemicals) have the same shape.  The file is streamed with ``defusedxml``'s
``iterparse`` (no entity expansion, no external references), one record in memory at a
time.  Tables (``mesh_id<TAB>mesh_name[<TAB>mesh_tree_number]``, one row per tree number)
are what many projects derive from it.

Readers parse and never write: the vocabulary store decides what to keep, all or nothing.
Every error names the file and the record (its number and UI) or the line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from graph.errors import LoadError
from loaders.base import open_document

__all__ = ["MeshRecord", "kind_of_trees", "read_mesh_table", "read_mesh_xml"]

_UI = re.compile(r"[CDQ]\d{6,9}")
#: Longer terms are not names a text uses; a record with more terms is not a MeSH record.
MAX_TERM = 300
MAX_TERMS_PER_RECORD = 5_000


@dataclass(frozen=True)
class MeshRecord:
    """One descriptor (or supplementary concept): id, preferred name, tree numbers, synonyms."""

    mesh: str
    name: str | None
    trees: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    kind: str | None = None  # Drug | Condition when the tree numbers (or the record type) say so


def kind_of_trees(trees: tuple[str, ...] | list[str]) -> str | None:
    """The node kind MeSH tree numbers give: D… → Drug; C… and F03 → Condition; else ``None``."""
    if any(t.startswith("C") or t.startswith("F03") for t in trees):
        return "Condition"
    if any(t.startswith("D") for t in trees):
        return "Drug"
    return None


_ROOTS = {
    "DescriptorRecordSet": ("DescriptorRecord", "DescriptorUI", "DescriptorName/String"),
    "SupplementalRecordSet": ("SupplementalRecord", "SupplementalRecordUI", "SupplementalRecordName/String"),
}


def read_mesh_xml(path: Path) -> Iterator[MeshRecord]:
    """Records of a MeSH XML file, streamed; :class:`LoadError` names the record that is wrong."""
    where = str(path)
    with open_document(path) as handle:
        if not handle.read(1 << 16).strip():
            raise LoadError("the file is empty", path=where)
        handle.seek(0)
        root = None
        spec: tuple[str, str, str] | None = None
        count = 0
        depth = 0
        try:
            for event, elem in SafeET.iterparse(handle, events=("start", "end")):
                if event == "start":
                    depth += 1
                    if root is None:
                        root = elem
                        spec = _ROOTS.get(elem.tag)
                        if spec is None:
                            hint = " (that is the qualifier file)" if elem.tag == "QualifierRecordSet" else ""
                            raise LoadError(
                                f"expected <DescriptorRecordSet> or <SupplementalRecordSet>, found <{elem.tag}>{hint}",
                                path=where,
                            )
                    continue
                depth -= 1
                if depth != 1 or spec is None:
                    continue
                count += 1
                record_tag, ui_path, name_path = spec
                if elem.tag != record_tag:
                    raise LoadError(f"record {count}: expected <{record_tag}>, found <{elem.tag}>", path=where)
                yield _record(elem, count, ui_path, name_path, where, supplementary=record_tag != "DescriptorRecord")
                elem.clear()
                root.remove(elem)
        except DefusedXmlException as exc:
            raise LoadError(
                f"refused: the XML declares entities or external references ({type(exc).__name__}); NLM's files never do",
                path=where,
            ) from None
        except SafeET.ParseError as exc:
            raise LoadError(
                f"not well-formed XML after {count} records (truncated or damaged?): {exc}",
                path=where,
                line=exc.position[0],
            ) from None
        if root is None:
            raise LoadError("the file is empty", path=where)
        if count == 0:
            raise LoadError(f"<{root.tag}> holds no records", path=where)


def _record(elem, index: int, ui_path: str, name_path: str, where: str, *, supplementary: bool) -> MeshRecord:
    ui = (elem.findtext(ui_path) or "").strip()
    if not _UI.fullmatch(ui):
        found = f" {ui[:20]!r}" if ui else ""
        raise LoadError(
            f"record {index}: no valid <{ui_path}>{found} (expected D000001-style; is this another MeSH year's format?)",
            path=where,
        )
    name = (elem.findtext(name_path) or "").strip()
    if not name:
        raise LoadError(f"record {index} ({ui}): no <{name_path}>", path=where)
    trees = tuple(t.text.strip() for t in elem.iterfind("TreeNumberList/TreeNumber") if t.text and t.text.strip())
    terms: list[str] = []
    for term in elem.iterfind("ConceptList/Concept/TermList/Term/String"):
        text = " ".join((term.text or "").split())
        if text and len(text) <= MAX_TERM and text not in terms:
            terms.append(text)
    if len(terms) > MAX_TERMS_PER_RECORD:
        raise LoadError(f"record {index} ({ui}): {len(terms):,} terms; not a MeSH record", path=where)
    kind = kind_of_trees(trees)
    if kind is None and supplementary:
        # supplementary records are chemicals, except class 3 (rare diseases)
        kind = "Condition" if elem.get("SCRClass") == "3" else "Drug"
    return MeshRecord(ui, name, trees, tuple(terms), kind)


def read_mesh_table(path: Path) -> Iterator[MeshRecord]:
    """Rows of a ``mesh_id, mesh_name[, mesh_tree_number]`` table, one record per id, streamed.

    Rows of one id may repeat (one per tree number) and must be adjacent, as the tables are
    published; a row with an id that is not a MeSH UI is an error naming its line.
    """
    where = str(path)
    with open_document(path) as raw:
        handle = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        try:
            reader = csv.reader(handle, delimiter="\t")
            header = next(reader, None)
            if header is None:
                raise LoadError("the file is empty", path=where)
            names = [h.strip().lower() for h in header]
            if "mesh_id" not in names or "mesh_name" not in names:
                raise LoadError(
                    f"expected a header with mesh_id and mesh_name (and optionally mesh_tree_number), found {header[:4]}",
                    path=where,
                    line=1,
                )
            i_id, i_name = names.index("mesh_id"), names.index("mesh_name")
            i_tree = names.index("mesh_tree_number") if "mesh_tree_number" in names else None
            current: str | None = None
            name: str | None = None
            trees: list[str] = []
            done: set[str] = set()
            for row in reader:
                line = reader.line_num
                if not row or not "".join(row).strip():
                    continue
                if len(row) <= max(i_id, i_name, i_tree or 0):
                    raise LoadError(
                        f"expected {len(names)} tab-separated columns, found {len(row)}", path=where, line=line
                    )
                ui = row[i_id].strip()
                if not _UI.fullmatch(ui):
                    raise LoadError(f"{ui[:20]!r} is not a MeSH id (expected D000001-style)", path=where, line=line)
                if ui != current:
                    if current is not None:
                        yield MeshRecord(current, name, tuple(trees), (), kind_of_trees(trees))
                        done.add(current)
                    if ui in done:
                        raise LoadError(
                            f"{ui} appears again after other ids; rows of one id must be adjacent",
                            path=where,
                            line=line,
                        )
                    current, name, trees = ui, row[i_name].strip() or None, []
                if i_tree is not None and row[i_tree].strip():
                    trees.append(row[i_tree].strip())
            if current is None:
                raise LoadError("the table has a header but no rows", path=where)
            yield MeshRecord(current, name, tuple(trees), (), kind_of_trees(trees))
        except UnicodeDecodeError:
            raise LoadError("not UTF-8 text", path=where) from None
        except csv.Error as exc:
            raise LoadError(f"not a tab-separated table: {exc}", path=where) from None
        finally:
            handle.detach()
