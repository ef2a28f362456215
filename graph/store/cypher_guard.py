"""A lexical first check of user Cypher: refuse writes and file access before the engine sees them.

The engine's read-only transaction is what really enforces read-only; this check adds a
clear message, and covers what a read transaction still allows (reading local files with
``LOAD FROM`` / ``LOAD CSV``, several statements in one string).
"""

from __future__ import annotations

import re

from graph.errors import WriteRefusedError

__all__ = ["refuse_writes", "strip_literals"]

_WRITE_CLAUSES = re.compile(
    r"(?<![.\w])(CREATE|MERGE|SET|DELETE|DETACH|REMOVE|DROP|ALTER|COPY|LOAD|INSTALL|ATTACH|IMPORT|EXPORT|"
    r"CHECKPOINT|BEGIN|COMMIT|ROLLBACK|FOREACH|GRANT|REVOKE|DENY)\b",
    re.IGNORECASE,
)
_CALL = re.compile(r"(?<![.\w])CALL\b", re.IGNORECASE)
_PROCEDURE = re.compile(r"\s*([A-Za-z_][\w.]*)(?![\w.`])")
_LINE_ENDS = ("\n", "\r", "\u2028", "\u2029", "\x85")
#: Procedures that only read the catalogue; any other CALL needs write permission.
READ_PROCEDURES = frozenset(
    {
        "show_tables",
        "table_info",
        "show_connection",
        "db.labels",
        "db.relationshiptypes",
        "db.propertykeys",
        "db.schema.visualization",
        "db.schema.nodetypeproperties",
        "db.schema.reltypeproperties",
    }
)


def strip_literals(cypher: str) -> str:
    """The query with comments removed and string literals and backticked names blanked."""
    out = []
    i, n = 0, len(cypher)
    while i < n:
        c = cypher[i]
        if cypher.startswith("//", i):
            ends = [j for j in (cypher.find(e, i) for e in _LINE_ENDS) if j >= 0]
            i = min(ends) if ends else n  # engines end a line comment at \r or a Unicode line break too
        elif cypher.startswith("/*", i):
            j = cypher.find("*/", i + 2)
            i = n if j < 0 else j + 2
            out.append(" ")
        elif c in "'\"`":
            j = i + 1
            while j < n and cypher[j] != c:
                # a backslash escapes in strings only: `a\` is a name ending in a backslash
                j += 2 if cypher[j] == "\\" and c != "`" else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def refuse_writes(cypher: str) -> None:
    """Raise :class:`WriteRefusedError` if ``cypher`` could write, read files, or holds several statements."""
    code = strip_literals(cypher)
    hint = "the console is read-only; pass --write (CLI) or tick 'allow writes' (explorer) to change the store"
    if ";" in code.strip().rstrip(";"):
        raise WriteRefusedError("several statements in one query are not run read-only", query=cypher, hint=hint)
    match = _WRITE_CLAUSES.search(code)
    if match:
        raise WriteRefusedError(
            f"refused: {match.group(1).upper()} can change the store or read files", query=cypher, hint=hint
        )
    for call in _CALL.finditer(code):
        named = _PROCEDURE.match(code, call.end())
        name = named.group(1) if named else code[call.end() : call.end() + 20].strip() or "?"
        if named is None or name.lower() not in READ_PROCEDURES:  # backticked names and subqueries included
            raise WriteRefusedError(f"refused: CALL {name} may write", query=cypher, hint=hint)
