"""Refuse user Cypher that could write, touch files or the engine, before any engine sees it.

The check is lexical, but it reads a query the way the engine's own lexer does
(LadybugDB's ``Cypher.g4``, checked against the installed engine in
``tests/reliability/test_guard_lexer.py``): which characters are white space, where a
``//`` or ``/* */`` comment ends, which escapes a string may hold, how backticked names
are closed.  Keywords are refused only where a clause can start (``RETURN {load: 1}``,
``WITH 1 AS copy`` and ``n.set`` are names), and the text must hold exactly one statement.

It is one of three layers: user queries also run on a database opened read-only, in a
worker process with no file-system access beyond the store (see
:mod:`graph.store.query_worker`), so a gap here cannot write.  On Neo4j the query runs in a
READ session; the guard then also applies Neo4j's lexical rules (a ``//`` comment ends at
any line break, a block comment at the first ``*/``, ``\\u0041`` may stand for ``A`` anywhere,
even in a keyword), refusing whatever either engine would read as code.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from graph.errors import QueryError, WriteRefusedError

__all__ = ["READ_PROCEDURES", "Dialect", "Token", "java_unescaped", "refuse_writes", "strip_literals", "tokenize"]

Dialect = Literal["ladybug", "neo4j"]

#: White space of LadybugDB's lexer (``WHITESPACE`` in Cypher.g4).  Not U+0085, U+200B or U+FEFF.
WHITESPACE = frozenset(
    " \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\u1680\u180e\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u205f\u3000\u00a0\u202f"
)
#: Where Neo4j ends a ``//`` comment; LadybugDB ends one only at ``\n`` (or ``\r\n``, or the end).
_NEO4J_LINE_ENDS = "\n\r\u2028\u2029\x85"
_SIMPLE_ESCAPES = frozenset("\\'\"bBfFnNrRtT")
_HEX = frozenset("0123456789abcdefABCDEF")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE]-?[0-9]+)?|\.[0-9]+(?:[eE]-?[0-9]+)?")

#: Clause keywords refused in a read-only query, with the reason the user is told.
_REFUSED: dict[str, str] = {
    **dict.fromkeys(
        ("CREATE", "MERGE", "SET", "DELETE", "DETACH", "REMOVE", "DROP", "ALTER", "FOREACH", "RENAME"),
        "changes the store",
    ),
    **dict.fromkeys(("LOAD", "COPY", "EXPORT", "IMPORT"), "reads or writes files"),
    **dict.fromkeys(("ATTACH", "USE"), "opens another database"),
    **dict.fromkeys(("INSTALL", "UNINSTALL", "UPDATE", "FORCE"), "installs or loads engine extensions"),
    **dict.fromkeys(("ANALYZE", "CHECKPOINT", "COMMENT"), "changes the engine's state"),
    **dict.fromkeys(
        ("BEGIN", "COMMIT", "ROLLBACK", "COMMIT_SKIP_CHECKPOINT", "ROLLBACK_SKIP_CHECKPOINT"),
        "controls transactions (a console query is one read-only statement)",
    ),
    **dict.fromkeys(
        ("GRANT", "REVOKE", "DENY", "START", "STOP", "TERMINATE", "ENABLE", "DEALLOCATE", "REALLOCATE"),
        "administers the server",
    ),
}
#: After one of these, the next word is a name or an expression, never the start of a clause.
_EXPRESSION_BEFORE = frozenset(
    {
        "RETURN", "WITH", "AS", "DISTINCT", "WHERE", "UNWIND", "AND", "OR", "XOR", "NOT", "IN", "IS",
        "CASE", "WHEN", "THEN", "ELSE", "SKIP", "LIMIT", "CONTAINS", "STARTS", "ENDS", "YIELD", "BY",
    }
)  # fmt: skip
_NAME_AFTER_PUNCT = frozenset(".:$,=<>+-/%^[~")
#: Words that are keywords somewhere in LadybugDB's or Neo4j's grammar: ``WORD (`` is then not a function call.
_KEYWORDS = frozenset(_REFUSED) | _EXPRESSION_BEFORE | frozenset(
    {
        "CALL", "MATCH", "OPTIONAL", "FROM", "TO", "ON", "UNION", "ALL", "ANY", "NONE", "SINGLE", "END", "EXISTS",
        "COUNT", "COLLECT", "SHORTEST", "TABLE", "NODE", "REL", "GRAPH", "DATABASE", "EXTENSION", "TRANSACTION",
        "TRANSACTIONS", "HEADERS", "CSV", "FIELDTERMINATOR", "PERIODIC", "ORDER", "ASC", "DESC", "ASCENDING",
        "DESCENDING", "OPTIONS", "INDEX", "CONSTRAINT", "HINT", "JOIN", "EXPLAIN", "PROFILE", "CAST", "GLOB",
    }
)  # fmt: skip
#: Procedures (LadybugDB table functions, Neo4j procedures) that only read the catalogue.
READ_PROCEDURES = frozenset(
    {
        "show_tables",
        "table_info",
        "show_connection",
        "db_version",
        "show_functions",
        "current_setting",
        "show_warnings",
        "show_indexes",
        "show_sequences",
        "show_macros",
        "show_graphs",
        "show_attached_databases",
        "show_loaded_extensions",
        "show_official_extensions",
        "show_projected_graphs",
        "catalog_version",
        "storage_version",
        "db.labels",
        "db.relationshiptypes",
        "db.propertykeys",
        "db.schema.visualization",
        "db.schema.nodetypeproperties",
        "db.schema.reltypeproperties",
        "dbms.components",
    }
)
#: Namespaces of server functions (Neo4j plugins) the console never calls as functions.
_SERVER_NAMESPACES = frozenset({"apoc", "dbms", "gds", "db", "genai", "tx"})
_HINT = "the console is read-only; pass --write (CLI) to change the store, or load documents with `evx load`"


@dataclass(frozen=True, slots=True)
class Token:
    """One lexical unit: ``kind`` is word, name (backticked), string, number, punct, space or other."""

    kind: str
    text: str
    start: int

    @property
    def word(self) -> str:
        """The keyword this token spells (upper case), or ``""`` when it is not a bare word."""
        return self.text.upper() if self.kind == "word" else ""


class _LexError(QueryError):
    pass


def _is_start(ch: str) -> bool:
    return ch.isidentifier() or unicodedata.category(ch) == "Pc"


def _is_part(ch: str) -> bool:
    return ("a" + ch).isidentifier() or unicodedata.category(ch) in ("Pc", "Sc")


def _line_comment_end(text: str, i: int, dialect: Dialect) -> int | None:
    """End of the ``//`` comment at ``i`` (exclusive), or ``None`` if the engine does not read one there."""
    n = len(text)
    if dialect == "neo4j":
        j = i + 2
        while j < n and text[j] not in _NEO4J_LINE_ENDS:
            j += 1
        return j
    # Cypher.g4: '//' ~[\n\r]* '\r'? ( '\n' | EOF ) — U+2028, U+2029 and U+0085 do not end it, a lone \r
    # makes it no comment at all (the engine then reads '/' '/' and fails)
    j = i + 2
    while j < n and text[j] not in "\n\r":
        j += 1
    if j == n:
        return n
    if text[j] == "\n":
        return j + 1
    if j + 1 == n:
        return n
    return j + 2 if text[j + 1] == "\n" else None


def _block_comment_end(text: str, i: int, dialect: Dialect) -> int | None:
    """End of the ``/* */`` comment at ``i`` (exclusive), or ``None`` if it is never closed."""
    if dialect == "neo4j":
        j = text.find("*/", i + 2)
        return None if j < 0 else j + 2
    # Cypher.g4: '/*' ( ~[*] | '*' ~[/] )* '*/' — a '*' swallows the character after it, so '**/' does not close
    n, j = len(text), i + 2
    while j < n:
        if text[j] != "*":
            j += 1
        elif j + 1 < n and text[j + 1] == "/":
            return j + 2
        elif j + 1 < n:
            j += 2
        else:
            return None
    return None


def _comment_end(text: str, i: int, dialect: Dialect) -> int | None:
    if text.startswith("//", i):
        return _line_comment_end(text, i, dialect)
    if text.startswith("/*", i):
        return _block_comment_end(text, i, dialect)
    return None


def _string_end(text: str, i: int) -> int:
    """End of the string literal opened at ``i`` (exclusive); a bad escape or no closing quote is an error."""
    quote, n, j = text[i], len(text), i + 1
    while j < n:
        ch = text[j]
        if ch == quote:
            return j + 1
        if ch != "\\":
            j += 1
            continue
        nxt = text[j + 1] if j + 1 < n else ""
        if nxt in _SIMPLE_ESCAPES and nxt:
            j += 2
        elif nxt in ("x", "X") and all(c in _HEX for c in text[j + 2 : j + 4]) and j + 4 <= n:
            j += 4
        elif nxt in ("u", "U") and all(c in _HEX for c in text[j + 2 : j + 6]) and j + 6 <= n:
            j += 6  # \uXXXX or \uXXXXXXXX: the same extent either way, hex digits are not quotes
        else:
            shown = ("\\" + nxt) if nxt else "\\ at the end"
            raise _LexError(
                f"invalid escape {shown!r} in the string starting at column {i + 1}",
                query=text,
                position=j + 1,
                hint="escapes are \\\\ \\' \\\" \\b \\f \\n \\r \\t \\xHH \\uHHHH \\UHHHHHHHH",
            )
    raise _LexError(f"the string starting at column {i + 1} is never closed", query=text, position=i + 1)


def tokenize(cypher: str, *, dialect: Dialect = "ladybug") -> list[Token]:
    """The query as the engine's lexer splits it (comments and white space are ``space`` tokens).

    Raises :class:`QueryError` where the engine's lexer cannot make a token either: an unclosed
    string or backticked name, or an invalid escape.
    """
    tokens: list[Token] = []
    n, i = len(cypher), 0
    lead = len(cypher) - len(cypher.lstrip(" \t\n\x0b\x0c\r"))
    if cypher.startswith("\ufeff", lead):  # the engine trims ASCII space, then ANTLR drops one byte-order mark
        tokens.append(Token("space", cypher[: lead + 1], 0))
        i = lead + 1
    while i < n:
        ch = cypher[i]
        end: int | None
        if ch in WHITESPACE:
            end = i + 1
            while end < n and cypher[end] in WHITESPACE:
                end += 1
            tokens.append(Token("space", cypher[i:end], i))
        elif (end := _comment_end(cypher, i, dialect)) is not None:
            tokens.append(Token("space", cypher[i:end], i))
        elif ch in "'\"":
            end = _string_end(cypher, i)
            tokens.append(Token("string", cypher[i:end], i))
        elif ch == "`":
            end = i
            while end < n and cypher[end] == "`":  # ( '`' ~[`]* '`' )+ : a doubled backtick is part of the name
                close = cypher.find("`", end + 1)
                if close < 0:
                    raise _LexError(
                        f"the backticked name starting at column {i + 1} is never closed", query=cypher, position=i + 1
                    )
                end = close + 1
            tokens.append(Token("name", cypher[i:end], i))
        elif (ch.isascii() and ch.isdigit()) or (
            ch == "." and cypher[i + 1 : i + 2].isdigit() and cypher[i + 1 : i + 2].isascii()
        ):
            match = _NUMBER.match(cypher, i)
            assert match is not None
            end = match.end()
            tokens.append(Token("number", cypher[i:end], i))
        elif _is_start(ch):
            end = i + 1
            while end < n and _is_part(cypher[end]):
                end += 1
            tokens.append(Token("word", cypher[i:end], i))
        elif 0xD800 <= ord(ch) <= 0xDFFF:
            raise _LexError(f"the query holds an unpaired surrogate at column {i + 1}", query=cypher, position=i + 1)
        else:
            kind = "punct" if ch.isascii() and not ch.isalnum() and ch.isprintable() else "other"
            tokens.append(Token(kind, ch, i))
        i = tokens[-1].start + len(tokens[-1].text)
    return tokens


def strip_literals(cypher: str) -> str:
    """The query with comments removed and string literals and backticked names blanked (Neo4j's rules).

    Used to check that generated scripts keep every value inside a literal; text the lexer
    cannot read (an unclosed string) is kept as code.
    """
    try:
        tokens = tokenize(cypher, dialect="neo4j")
    except QueryError:
        return cypher
    parts = []
    for token in tokens:
        if token.kind == "space":
            parts.append(" ")
        elif token.kind in ("string", "name"):
            parts.append(token.text[0] * 2)
        else:
            parts.append(token.text)
    return "".join(parts)


def _names_a_value(code: list[Token], k: int) -> bool:
    """Whether the keyword-like word at ``code[k]`` is a name here (map key, alias, property, variable)."""
    before = code[k - 1] if k else None
    after = code[k + 1] if k + 1 < len(code) else None
    if after is not None and after.text == ":" and after.kind == "punct":
        return True  # {load: 1}, (copy:Drug), f(set := 1): no clause keyword is followed by ':'
    if before is None:
        return False
    if before.kind == "punct" and before.text == "(" and k >= 2:
        caller = code[k - 2]  # sum(load): an argument; FOREACH (, COPY (, CALL (: maybe a clause
        return caller.kind == "name" or (caller.kind == "word" and caller.word not in _KEYWORDS)
    if before.kind == "punct":
        return before.text in _NAME_AFTER_PUNCT
    return before.word in _EXPRESSION_BEFORE


def _procedure(code: list[Token], k: int, cypher: str) -> None:
    """Check the ``CALL`` at ``code[k]``: a catalogue procedure may run; settings, subqueries and the rest may not."""
    parts: list[str] = []
    j = k + 1
    while j < len(code) and code[j].kind in ("word", "name"):
        token = code[j]
        parts.append(token.text[1:-1].replace("``", "`") if token.kind == "name" else token.text)
        if j + 1 < len(code) and code[j + 1].text == ".":
            j += 2
            continue
        j += 1
        break
    name = ".".join(parts)
    following = code[j].text if j < len(code) else ""
    if name and following == "=":
        raise WriteRefusedError(f"refused: CALL {name}=… changes an engine setting", query=cypher, hint=_HINT)
    if not name or following != "(":
        raise WriteRefusedError(
            "refused: CALL of a subquery or an unnamed procedure may write", query=cypher, hint=_HINT
        )
    if name.lower() not in READ_PROCEDURES:
        raise WriteRefusedError(
            f"refused: CALL {name} is not one of the catalogue procedures the console runs",
            query=cypher,
            hint=_HINT + "; catalogue procedures: " + ", ".join(sorted(READ_PROCEDURES)),
        )


def _function(code: list[Token], k: int, cypher: str) -> None:
    """Refuse a server function (``apoc.cypher.runFirstColumn(…)``, ``dbms.…(…)``) at ``code[k]``:
    it may run Cypher held in a string, or touch files, where the guard cannot see."""
    if k and code[k - 1].text == "." and code[k - 1].kind == "punct":
        return  # inside a dotted name already looked at
    parts, j = [code[k].text], k + 1
    while j + 1 < len(code) and code[j].text == "." and code[j + 1].kind in ("word", "name"):
        parts.append(code[j + 1].text.strip("`"))
        j += 2
    if len(parts) < 2 or j >= len(code) or code[j].text != "(":
        return
    if k and code[k - 1].word == "CALL":
        return  # a procedure: see _procedure
    if parts[0].strip("`").lower() in _SERVER_NAMESPACES:
        raise WriteRefusedError(
            f"refused: {'.'.join(parts)}(…) is a server function that may run Cypher or touch files",
            query=cypher,
            position=code[k].start + 1,
            hint=_HINT,
        )


def _check(cypher: str, dialect: Dialect) -> None:
    code = [t for t in tokenize(cypher, dialect=dialect) if t.kind != "space"]
    for k, token in enumerate(code):
        if token.text == ";" and token.kind == "punct" and k != len(code) - 1:
            raise WriteRefusedError(
                "refused: the console runs one statement; this text holds several (a ';' before the end)",
                query=cypher,
                position=token.start + 1,
                hint=_HINT,
            )
    for k, token in enumerate(code):
        word = token.word
        if not word:
            continue
        _function(code, k, cypher)
        if _names_a_value(code, k):
            continue
        if word == "CALL":
            _procedure(code, k, cypher)
        elif word in _REFUSED:
            raise WriteRefusedError(
                f"refused: {word} {_REFUSED[word]} (at column {token.start + 1})",
                query=cypher,
                position=token.start + 1,
                hint=_HINT,
            )


#: A Java unicode escape: ``\\u`` (any number of ``u``; ``\\U`` too, to be safe) and four hex digits,
#: its backslash not itself escaped.
_JAVA_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\[uU]+([0-9a-fA-F]{4})")


def java_unescaped(cypher: str) -> str:
    """The text with every ``\\uXXXX`` replaced by its character, anywhere, as Java's unicode
    preprocessing reads it (Neo4j 5 runs ``M\\u0041TCH``; inside a string ``\\u0027`` may end it)."""
    decoded = _JAVA_ESCAPE.sub(lambda m: m.group(1) + chr(int(m.group(2), 16)), cypher)
    return decoded.encode("utf-16", "surrogatepass").decode("utf-16", "replace")  # pairs → one character


def refuse_writes(cypher: str, *, dialect: Dialect = "ladybug") -> None:
    """Raise :class:`WriteRefusedError` if ``cypher`` could write, touch files or the engine, or holds
    several statements; :class:`QueryError` if the engine could not even split it into tokens.

    ``dialect="neo4j"`` checks the text under LadybugDB's and Neo4j's lexical rules both, and
    once more with unicode escapes read as their characters wherever they stand.
    """
    _check(cypher, "ladybug")
    if dialect == "neo4j":
        _check(cypher, "neo4j")
        decoded = java_unescaped(cypher)
        if decoded != cypher:  # read by both sets of rules: refusing more than either engine would is safe
            _check(decoded, "ladybug")
            _check(decoded, "neo4j")
