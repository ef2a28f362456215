"""Curated evidence files: hand-written YAML with nodes, edges and provenance.

For researchers and tests who want to add evidence without a parser.  The format::

    evx: curated/1                      # marks the file as curated evidence
    source:
      title: Hand-curated mecasermin evidence
      text: |                           # optional; quotes must then appear in it verbatim
        In the untreated Laron syndrome group (n=21) 51% had hypoglycaemia.
    nodes:
      - kind: Study
        name: Bang 2021
        doi: 10.1530/EJE-20-0325
        year: 2021
      - kind: Finding                   # ABOUT edges are added from drug/outcome/population
        drug: mecasermin                # names or synonyms from the vocabulary
        outcome: hypoglykemie
        population: Laron syndrome
    edges:
      - type: SUPPORTS
        from: Bang 2021                 # a node's name in this file, an id, or a vocabulary term
        to: mecasermin -> hypoglycemia in Laron syndrome
        quote: 51% had hypoglycaemia

Errors name the file, the line and the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from graph.errors import LoadError, RecordError
from graph.ids import content_id, slug, study_id
from graph.model import NODE_PROPERTIES, Document, EdgeType, NodeKind
from loaders.base import DocumentBuilder, decode, read_document_bytes

__all__ = ["CuratedLoader"]

MARKER = "curated/1"
_STRUCTURAL = {"kind", "name", "id", "quote", "drug", "outcome", "population"}


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers the line of every mapping and key, and refuses aliases."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise LoadError("YAML anchors and aliases are not allowed in curated files", line=event.start_mark.line + 1)
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=True)
        mapping["__line__"] = node.start_mark.line + 1
        mapping["__lines__"] = {k.value: v.start_mark.line + 1 for k, v in node.value if isinstance(k, yaml.ScalarNode)}
        return mapping


class CuratedLoader:
    name = "curated"
    description = "curated evidence (YAML, `evx: curated/1`)"

    def sniff(self, path: Path, head: bytes) -> bool:
        return path.suffix.lower() in {".yaml", ".yml"} and b"curated/1" in head

    def load(self, path: Path) -> Iterator[Document]:
        text, warnings = decode(read_document_bytes(path), path=str(path))
        yield parse_curated(text, path=str(path), warnings=warnings)


#: Deeper flow nesting is refused before PyYAML sees it (its scanner slows quadratically, then recurses out).
MAX_NESTING = 200


def _nesting(text: str) -> int:
    """The deepest ``[``/``{`` nesting of the text (brackets inside quotes counted too: an upper bound)."""
    depth = deepest = 0
    for match in re.finditer(r"[\[\]{}]", text):
        depth = depth + 1 if match.group() in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def parse_curated(text: str, *, path: str = "<curated>", warnings: list[str] | None = None) -> Document:
    if _nesting(text) > MAX_NESTING:
        raise LoadError(f"lists or mappings nested more than {MAX_NESTING} levels deep: not a curated file", path=path)
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a SafeLoader
    except LoadError as exc:
        raise LoadError(exc.reason, path=path, line=exc.line) from None
    except RecursionError:
        raise LoadError("nested too deeply to be a curated file", path=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise LoadError(
            f"not valid YAML: {getattr(exc, 'problem', exc)}", path=path, line=mark.line + 1 if mark else None
        ) from None
    if not isinstance(data, dict) or data.get("evx") != MARKER:
        raise LoadError(f"expected a mapping with `evx: {MARKER}` at the top", path=path, line=1)
    source = data.get("source") or {}
    if not isinstance(source, dict):
        raise LoadError("`source` must be a mapping with a title", path=path, line=data["__lines__"].get("source"))
    title = source.get("title")
    if not isinstance(title, str) or not title.strip():
        raise LoadError("a title is required", path=path, line=source.get("__line__", 1), field="source.title")
    doc_text = source.get("text") if isinstance(source.get("text"), str) else text
    builder = DocumentBuilder(
        text=doc_text,
        source_type="curated",
        title=title.strip(),
        path=path,
        source_props={"uri": source.get("uri") if isinstance(source.get("uri"), str) else None},
    )
    builder.warnings.extend(warnings or [])
    names: dict[str, str] = {}

    def fail(message: str, entry: dict[str, Any], key: str | None = None) -> LoadError:
        line = entry.get("__lines__", {}).get(key) if key else None
        return LoadError(message, path=path, line=line or entry.get("__line__"), field=key)

    def ref(value: Any, entry: dict[str, Any], key: str, kind: NodeKind | None = None) -> str:
        if not isinstance(value, str) or not value.strip():
            raise fail("expected a node name, id or vocabulary term", entry, key)
        value = value.strip()
        if value in names:
            return names[value]
        if ":" in value and value.split(":", 1)[0] in {k.prefix for k in NodeKind}:
            return value
        concept = builder.vocabulary.lookup(value, kind)
        if concept is None:
            raise fail(f"{value!r} is neither a node in this file nor a vocabulary term", entry, key)
        return builder.add_concept(concept)

    for entry in _entries(data, "nodes", path):
        kind_name = entry.get("kind")
        try:
            kind = NodeKind(kind_name)
        except ValueError:
            raise fail(
                f"unknown kind {kind_name!r}; expected one of {', '.join(k.value for k in NodeKind)}", entry, "kind"
            ) from None
        props = {k: v for k, v in entry.items() if k not in _STRUCTURAL and not k.startswith("__")}
        for key in props:
            if key not in NODE_PROPERTIES[kind]:
                raise fail(
                    f"{kind} has no property {key!r}; known: {', '.join(sorted(NODE_PROPERTIES[kind]))}", entry, key
                )
        quote = entry.get("quote")
        try:
            if kind is NodeKind.FINDING:
                drug = ref(entry.get("drug"), entry, "drug", NodeKind.DRUG)
                target = ref(entry.get("outcome"), entry, "outcome")
                population = (
                    ref(entry["population"], entry, "population", NodeKind.CONDITION)
                    if entry.get("population")
                    else None
                )
                node_id = builder.add_finding(drug, target, population, statement=props.get("statement"), quote=quote)
                label = next(n.name for n in builder.nodes if n.id == node_id)
                names[label] = node_id
                names[label.replace("→", "->")] = node_id
                if entry.get("name"):
                    names[str(entry["name"])] = node_id
                continue
            name = entry.get("name")
            if not isinstance(name, str) or not name.strip():
                raise fail("every node needs a name", entry, "name")
            node_id = entry.get("id") or _derive_id(kind, name, props, builder)
            if kind in (NodeKind.DRUG, NodeKind.CONDITION, NodeKind.OUTCOME) and not entry.get("id"):
                concept = builder.vocabulary.lookup(name, kind)
                if concept is not None:
                    node_id = builder.add_concept(concept, quote=quote)
                    names[name] = node_id
                    continue
            builder.add_node(str(node_id), kind, name.strip(), props, quote=quote)
            names[name.strip()] = str(node_id)
        except (RecordError, TypeError, AttributeError) as exc:  # a value of the wrong YAML type
            raise fail(str(exc), entry, _field_in(str(exc), entry)) from None
    for entry in _entries(data, "edges", path):
        try:
            etype = EdgeType(str(entry.get("type", "")).upper())
        except ValueError:
            raise fail(
                f"unknown edge type {entry.get('type')!r}; expected one of {', '.join(e.value for e in EdgeType)}",
                entry,
                "type",
            ) from None
        source = ref(entry.get("from"), entry, "from")
        target = ref(entry.get("to"), entry, "to")
        props = {k: entry[k] for k in ("strength", "text", "note") if k in entry}
        try:
            builder.add_edge(etype, source, target, quote=entry.get("quote"), props=props)
        except (RecordError, TypeError, AttributeError) as exc:  # a value of the wrong YAML type
            raise fail(str(exc), entry, "type") from None
    try:
        return builder.build()
    except LoadError as exc:
        raise LoadError(exc.reason, path=path) from None


def _entries(data: dict[str, Any], section: str, path: str) -> list[dict[str, Any]]:
    entries = data.get(section) or []
    if not isinstance(entries, list):
        raise LoadError(f"`{section}` must be a list", path=path, line=data["__lines__"].get(section), field=section)
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise LoadError(
                f"entry {i + 1} of `{section}` must be a mapping",
                path=path,
                line=data["__lines__"].get(section),
                field=section,
            )
    return entries


def _field_in(message: str, entry: dict[str, Any]) -> str | None:
    for key in entry.get("__lines__", {}):
        if f"{key!r}" in message or f".{key}" in message or f"{key}:" in message:
            return key
    return None


def _derive_id(kind: NodeKind, name: str, props: dict[str, Any], builder: DocumentBuilder) -> str:
    if kind in (NodeKind.STUDY, NodeKind.GUIDELINE):
        return study_id(
            doi=props.get("doi"),
            pmid=props.get("pmid"),
            nct_id=props.get("nct_id"),
            first_author=name,
            year=props.get("year") if isinstance(props.get("year"), int) else None,
            title=props.get("title"),
            kind=kind,
        )
    if kind in (NodeKind.DRUG, NodeKind.CONDITION, NodeKind.OUTCOME):
        return f"{kind.prefix}:{slug(name)}"
    return content_id(kind, builder.source_doc, name)
