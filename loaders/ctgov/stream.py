"""Reading ClinicalTrials.gov v2 JSON as a stream: one study, or a page of ``studies``.

A file of up to :data:`WHOLE_BYTES` is parsed whole by the standard library's C parser, about
twenty times faster than the event stream; a larger one (a page of many studies), or one the
whole parse refuses, is streamed (``ijson``), one study at a time, and the stream's answer —
the studies before a break, the error for what is broken — is the answer.
The compact form of a study (:func:`dumps`) is its Source text; any sub-object's compact
form is a substring of it, which is how quotes are located.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

import ijson

from graph.errors import LoadError

__all__ = ["MAX_DEPTH", "dumps", "iter_study_records", "quoted"]

#: Deepest nesting of objects and lists a file may have.  Real records nest about ten levels;
#: the parser's key paths grow with depth (memory goes with depth squared: 100,000 levels took
#: 22 GB), so a deeper file is refused as it streams, before the deep part is built.
MAX_DEPTH = 200
#: A file up to this size is parsed whole (a single study is ~40–400 KB): at worst some tens of MB resident.
WHOLE_BYTES = 4 * 1024 * 1024

_STUDY_KEYS = frozenset(
    {"protocolSection", "resultsSection", "annotationSection", "documentSection", "derivedSection", "hasResults"}
)


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)
#: The encoder's C core, made once: ``JSONEncoder.encode`` builds it again on every call, which was
#: half the cost of serialising a results cell (a study serialises some hundreds of them).
_C_ENCODE = (
    json.encoder.c_make_encoder(
        None, _ENCODER.default, json.encoder.encode_basestring, None, ":", ",", False, False, True
    )
    if json.encoder.c_make_encoder is not None
    else None
)


def dumps(value: Any) -> str:
    """JSON as the API serves it (compact, UTF-8): the Source text and its quotes agree.

    One encoder for every call (``json.dumps`` with options builds one per call); values come
    from parsed JSON, so they cannot be circular.
    """
    if _C_ENCODE is None or type(value) is str:
        return _ENCODER.encode(value)
    return "".join(_C_ENCODE(value, 0))


def quoted(value: str) -> str:
    """The characters a string occupies inside the record's JSON (escapes included)."""
    return dumps(value)[1:-1]


def iter_study_records(handle: IO[bytes], *, path: str) -> Iterator[tuple[str, Any]]:
    """``(label, study)`` pairs from a single study or a page, one study in memory at a time.

    The label names the record in messages: its NCT id when it has one, else ``studies[i]``.
    """
    head = handle.read(WHOLE_BYTES + 1)
    if len(head) <= WHOLE_BYTES:
        whole = _parsed_whole(head)
        if whole is not None:
            yield from _whole_records(whole, path)
            return
    yield from _streamed(_Replayed(head, handle), path)  # type: ignore[arg-type]


def _streamed(handle: IO[bytes], path: str) -> Iterator[tuple[str, Any]]:
    events = ijson.parse(_depth_bounded(ijson.basic_parse(handle, use_float=True), path))
    try:
        first = next(events, None)
        if first is None:
            raise LoadError("the file is empty", path=path)
        if first[1] != "start_map":
            raise LoadError("expected a JSON object: one study (`protocolSection`) or a page (`studies`)", path=path)
        for prefix, event, value in events:
            if prefix == "" and event == "end_map":
                return
            if prefix != "" or event != "map_key":
                continue
            if value in _STUDY_KEYS:
                record = _build(events, [("start_map", None), ("map_key", value)], depth=1)
                yield _label(record, "study"), record
                return
            if value == "studies":
                yield from _page(events, path)
            else:
                _build(events, [], depth=0)  # nextPageToken, totalCount, unknown keys: skip the value
    except ijson.common.IncompleteJSONError as exc:
        raise LoadError(f"the JSON ends early or is broken ({_ijson_reason(exc)})", path=path) from None
    except ijson.common.JSONError as exc:
        raise LoadError(f"not valid JSON ({_ijson_reason(exc)})", path=path) from None
    except UnicodeDecodeError as exc:
        raise LoadError(f"not UTF-8 at byte {exc.start}: JSON from the API is UTF-8", path=path) from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _parsed_whole(data: bytes) -> Any | None:
    """The file's JSON value, or ``None`` when the whole parse refuses it (then the stream says why)."""
    try:
        value = json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
    except (ValueError, RecursionError):  # broken, truncated, not UTF-8, NaN, nested past the C parser's limit
        return None
    return value if _within_depth(value) else None


def _within_depth(value: Any) -> bool:
    """True when objects and lists nest at most :data:`MAX_DEPTH` levels (the outermost is level 1)."""
    if type(value) is not dict and type(value) is not list:
        return True
    level, depth = [value], 1  # level by level: half the time of a stack of (object, depth) pairs
    while True:
        deeper = []
        for item in level:
            for child in item.values() if type(item) is dict else item:
                kind = type(child)
                if kind is dict or kind is list:
                    deeper.append(child)
        if not deeper:
            return True
        depth += 1
        if depth > MAX_DEPTH:
            return False
        level = deeper


def _whole_records(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """What :func:`_streamed` yields for the same value: one study, or each entry of ``studies``."""
    if not isinstance(value, dict):
        raise LoadError("expected a JSON object: one study (`protocolSection`) or a page (`studies`)", path=path)
    keys = list(value)
    for i, key in enumerate(keys):
        if key in _STUDY_KEYS:  # the study is the object from its first study key on
            record = value if i == 0 else {k: value[k] for k in keys[i:]}
            yield _label(record, "study"), record
            return
        if key == "studies":
            studies = value[key]
            if not isinstance(studies, list):
                raise LoadError("`studies` must be a list of study objects", path=path, field="studies")
            for index, record in enumerate(studies):
                yield _label(record, f"studies[{index}]"), record


class _Replayed:
    """The bytes already read from a handle, then the rest of it: the stream starts from the top."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size < 0:
                out, self._head = bytes(self._head) + self._rest.read(), memoryview(b"")
                return out
            out, self._head = bytes(self._head[:size]), self._head[size:]
            return out
        return self._rest.read(size)


def _depth_bounded(events: Iterator[tuple[str, Any]], path: str) -> Iterator[tuple[str, Any]]:
    """The parser's events, with a :class:`LoadError` once nesting passes :data:`MAX_DEPTH`."""
    depth = 0
    for event in events:
        kind = event[0]
        if kind == "start_map" or kind == "start_array":
            depth += 1
            if depth > MAX_DEPTH:
                raise LoadError(f"refused: objects and lists are nested deeper than {MAX_DEPTH} levels", path=path)
        elif kind == "end_map" or kind == "end_array":
            depth -= 1
        yield event


def _page(events: Iterator[tuple[str, str, Any]], path: str) -> Iterator[tuple[str, Any]]:
    prefix, event, _ = next(events)
    if event != "start_array":
        raise LoadError("`studies` must be a list of study objects", path=path, field="studies")
    for index, (prefix, event, value) in enumerate(events):
        if prefix == "studies" and event == "end_array":
            return
        record = _build(events, [(event, value)], depth=1 if event in ("start_map", "start_array") else 0)
        yield _label(record, f"studies[{index}]"), record


def _build(events: Iterator[tuple[str, str, Any]], opening: list[tuple[str, Any]], *, depth: int) -> Any:
    """Assemble one JSON value from the event stream (``opening`` = events already read)."""
    builder = ijson.ObjectBuilder()
    for event, value in opening:
        builder.event(event, value)
    if depth == 0 and opening:
        return builder.value
    for _, event, value in events:
        builder.event(event, value)
        if event in ("start_map", "start_array"):
            depth += 1
        elif event in ("end_map", "end_array"):
            depth -= 1
        if depth == 0:
            break
    return builder.value


def _label(record: Any, fallback: str) -> str:
    if isinstance(record, dict):
        ident = (record.get("protocolSection") or {}) if isinstance(record.get("protocolSection"), dict) else {}
        ident = ident.get("identificationModule") if isinstance(ident.get("identificationModule"), dict) else {}
        nct = ident.get("nctId")
        if isinstance(nct, str) and nct.strip():
            return f"study {nct.strip()}"
    return fallback


def _ijson_reason(exc: Exception) -> str:
    return str(exc).split("\n")[0][:160] or type(exc).__name__
