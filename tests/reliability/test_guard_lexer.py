"""The guard reads Cypher the way LadybugDB's lexer does: each rule checked against the installed engine.

``test_lexical_rule`` runs probes whose answer depends on one rule (does U+2028 end a ``//``
comment? does ``**/`` close a block comment?) on an in-memory LadybugDB and compares the
answer with the tokens the guard sees.  ``test_guard_and_engine_split_text_alike`` is the
property: for generated text mixing comments, strings, escaped names and every Unicode line
terminator, the engine gives the same answer for the text and for the guard's reading of it
(its tokens with comments dropped) — so nothing the guard takes for a comment or a string is
code to the engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph.errors import QueryError
from graph.store.cypher_guard import WHITESPACE, tokenize
from tests.reliability.support import TALLY, fuzz_settings

LINE_TERMINATORS = ("\n", "\r", "\r\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")


@pytest.fixture(scope="module")
def engine() -> Iterator[Any]:
    import ladybug

    db = ladybug.Database(":memory:")
    conn = ladybug.Connection(db)
    yield conn
    conn.close()
    db.close()


def run(conn: Any, cypher: str) -> Any:
    """The engine's answer, or ``"error"`` when it refuses the text (any reason)."""
    try:
        result = conn.execute(cypher)
    except (RuntimeError, TypeError):
        return "error"
    if isinstance(result, list):
        return ["several", *[r.get_all() for r in result]]
    return result.get_all()


#: Run before a reading so that a leading U+FEFF in it stays a character (the engine drops one only at the start).
_AS_CODE = "\u2028"


def reading(cypher: str) -> str | None:
    """The guard's reading: code tokens joined by spaces (``None`` when it cannot tokenize the text)."""
    try:
        return " ".join(t.text for t in tokenize(cypher) if t.kind != "space")
    except QueryError:
        return None


#: (rule, probe, the engine's answer, the guard's reading)
RULES = [
    ("U+2028 does not end a // comment", "RETURN 1 // x\u2028 + 1", [[1]], "RETURN 1"),
    ("U+2029 does not end a // comment", "RETURN 1 // x\u2029 + 1", [[1]], "RETURN 1"),
    ("U+0085 does not end a // comment", "RETURN 1 // x\x85 + 1", [[1]], "RETURN 1"),
    ("\\n ends a // comment", "RETURN 1 // x\n + 1", [[2]], "RETURN 1 + 1"),
    ("\\r\\n ends a // comment", "RETURN 1 // x\r\n + 1", [[2]], "RETURN 1 + 1"),
    ("a lone \\r makes // no comment", "RETURN 1 // x\r + 1", "error", "RETURN 1 / / x + 1"),
    ("a // comment may end the text", "RETURN 1 // x", [[1]], "RETURN 1"),
    ("U+2028 is white space", "RETURN\u20281", [[1]], "RETURN 1"),
    ("U+0085 is not white space", "RETURN\x851", "error", "RETURN \x85 1"),
    ("U+FEFF is not white space", "RETURN\ufeff1", "error", "RETURN \ufeff 1"),
    ("U+001C is white space", "RETURN\x1c1", [[1]], "RETURN 1"),
    ("one leading byte-order mark is skipped", " \ufeffRETURN 1", [[1]], "RETURN 1"),
    ("a second byte-order mark is not", "\ufeff\ufeffRETURN 1", "error", "\ufeff RETURN 1"),
    ("nor one after a line separator", "\u2028\ufeffRETURN 1", "error", "\ufeff RETURN 1"),
    ("**/ does not close a block comment", "RETURN 1 /* **/ + 1 /* */", [[1]], "RETURN 1"),
    ("***/ closes a block comment", "RETURN 1 /* ***/ + 1", [[2]], "RETURN 1 + 1"),
    ("/*/ opens but does not close", "RETURN 1 /*/ + 1 */ + 2", [[3]], "RETURN 1 + 2"),
    ("block comments do not nest", "RETURN 1 /* /* */ + 1 */", "error", "RETURN 1 + 1 * /"),
    ("an unclosed block comment is code", "RETURN 1 /* a", "error", "RETURN 1 / * a"),
    ("//* is a line comment", "RETURN 1 //* x */ + 1", [[1]], "RETURN 1"),
    ("\\' escapes a quote", "RETURN 'it\\'s'", [["it's"]], "RETURN 'it\\'s'"),
    ("'' is two strings, not an escape", "RETURN 'it''s'", "error", "RETURN 'it' 's'"),
    ("an invalid escape is no string", "RETURN 'a\\q'", "error", None),
    ("a short \\u escape is no string", "RETURN '\\u41'", "error", None),
    ("\\uXXXX is an escape", "RETURN '\\u0041'", [["A"]], "RETURN '\\u0041'"),
    ("a string may hold a newline", "RETURN 'a\nb'", [["a\nb"]], "RETURN 'a\nb'"),
    ("a backslash does not escape in backticks", "RETURN 1 AS `a\\`", [[1]], "RETURN 1 AS `a\\`"),
    ("a doubled backtick is part of the name", "RETURN 1 AS `a``b`", [[1]], "RETURN 1 AS `a``b`"),
    ("an unclosed backtick is an error", "RETURN 1 AS `a", "error", None),
    ("a ; inside a comment ends nothing", "RETURN 1 // ;RETURN 2", [[1]], "RETURN 1"),
    ("two statements are two", "RETURN 1; RETURN 2", ["several", [[1]], [[2]]], "RETURN 1 ; RETURN 2"),
]


@pytest.mark.parametrize(("rule", "probe", "answer", "guard_reads"), RULES, ids=[r[0] for r in RULES])
def test_lexical_rule(engine: Any, rule: str, probe: str, answer: Any, guard_reads: str | None) -> None:
    assert run(engine, probe) == answer, f"the engine changed: {rule}"
    assert reading(probe) == guard_reads
    if guard_reads is not None:
        assert run(engine, _AS_CODE + guard_reads) == answer  # the guard's reading means what the text means
    TALLY["lexical rules checked against the engine"] += 1


def test_every_whitespace_character_of_the_guard_is_whitespace_to_the_engine(engine: Any) -> None:
    for ch in sorted(WHITESPACE):
        assert run(engine, f"RETURN{ch}1") == [[1]], repr(ch)
    for ch in ("\x85", "\u200b", "\ufeff", "\x00", "\u180f"):
        assert ch not in WHITESPACE
        assert run(engine, f"RETURN{ch}1") == "error", repr(ch)


_TRICKY = "a*/'\"`\\;\n\r\u2028\u2029\x85 uUx0"
_terminator = st.sampled_from([*LINE_TERMINATORS, ""])
_line_comment = st.builds(lambda body, end: f"//{body}{end}", st.text(_TRICKY, max_size=8), _terminator)
_block_comment = st.builds(lambda body: f"/*{body}*/", st.text(_TRICKY, max_size=8))
_space = st.sampled_from([" ", *LINE_TERMINATORS, "\u00a0", "\u3000", "\u200b", "\ufeff"])
_string = st.builds(
    lambda quote, body: f"{quote}{body}{quote}",
    st.sampled_from(["'", '"']),
    st.text("ab'\"\\nrtuUx0041`/*\u2028\n", max_size=8),
)
_term = st.one_of(st.sampled_from(["1", "2", "-3", "4.5"]), _string)
_alias = st.builds(lambda body: f" AS `{body}`", st.text("ab\\'\"/*\n\u2028", min_size=1, max_size=6))
_gap = st.lists(st.one_of(_space, _line_comment, _block_comment), max_size=3).map("".join)


@st.composite
def generated(draw: st.DrawFn) -> str:
    items = draw(st.lists(st.tuples(_term, st.one_of(st.just(""), _alias), _gap), min_size=1, max_size=4))
    parts = [draw(_gap), "RETURN "]
    for k, (term, alias, gap) in enumerate(items):
        parts.append(("," if k else "") + gap + term + alias + draw(_gap))
    return "".join(parts)


@fuzz_settings(1500)
@given(text=generated())
def test_guard_and_engine_split_text_alike(engine: Any, text: str) -> None:
    guard_reads = reading(text)
    answer = run(engine, text)
    TALLY["generated texts compared: guard reading vs engine"] += 1
    if guard_reads is None:
        assert answer == "error", "the guard could not tokenize text the engine runs"
        return
    assert run(engine, _AS_CODE + guard_reads) == answer
