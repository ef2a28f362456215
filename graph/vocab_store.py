"""The open vocabulary: MeSH descriptors and learned names, kept with the store.

The bundled YAML knows the concepts of the sample documents; real literature names
tens of thousands more.  ``evx vocab import mesh|pubtator FILE`` adds them here: a SQLite
file in the store directory (``vocabulary.sqlite``), so it survives restarts and serves
the embedded store and a Neo4j server alike.

An import is one SQLite transaction: the file is read to the end inside it, and any error
rolls everything back, so a broken, truncated or wrong file leaves the vocabulary exactly as
it was.  Tables::

    concepts(mesh, name, kind, trees)        one row per MeSH id; kind from tree numbers
    terms(term, mesh, cased, count, origin)  folded name → id; count = times annotators used it
    term_use(term, seen, annotated)          how often a name occurs in annotated text, and is annotated
    relations(chemical, disease, count)      curated chemical-induced disease pairs (PubTator CID lines)
    concept_roles(mesh, abstracts, as_chemical, as_disease)
                                             in how many annotated abstracts a concept is named, and in how
                                             many of those it is the cause or the effect of a curated pair

``term_use`` lets the recogniser leave out names annotators do not mark as concepts where
they occur ("patients", a drug class named in passing): learned, not listed by hand.
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from graph.errors import EvidenceError, LoadError, StoreError

__all__ = ["VOCABULARY_FILE", "ImportReport", "VocabularyStats", "VocabularyStore"]

VOCABULARY_FILE = "vocabulary.sqlite"
_KINDS = {"Chemical": "Drug", "Disease": "Condition"}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS concepts (mesh TEXT PRIMARY KEY, name TEXT, kind TEXT, trees TEXT);
CREATE TABLE IF NOT EXISTS terms (
    term TEXT NOT NULL, mesh TEXT NOT NULL, cased TEXT, count INTEGER NOT NULL DEFAULT 0, origin TEXT,
    PRIMARY KEY (term, mesh));
CREATE TABLE IF NOT EXISTS term_use (term TEXT PRIMARY KEY, seen INTEGER NOT NULL, annotated INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS relations (
    chemical TEXT NOT NULL, disease TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (chemical, disease));
CREATE TABLE IF NOT EXISTS concept_roles (
    mesh TEXT PRIMARY KEY, abstracts INTEGER NOT NULL, as_chemical INTEGER NOT NULL, as_disease INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS imports (
    at TEXT NOT NULL, what TEXT NOT NULL, file TEXT NOT NULL, records INTEGER NOT NULL, terms INTEGER NOT NULL);
"""


@dataclass(frozen=True)
class ImportReport:
    what: str
    file: str
    records: int
    terms: int


@dataclass(frozen=True)
class VocabularyStats:
    concepts: dict[str, int]  # by kind ("" = kind unknown)
    terms: int
    learned_uses: int
    imports: list[ImportReport]


@dataclass(frozen=True)
class Entry:
    """One name the recogniser looks for."""

    term: str  # folded
    mesh: str
    name: str
    kind: str
    cased: str | None
    count: int


class VocabularyStore:
    """The vocabulary file of one store directory (created on first import)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @classmethod
    def for_store(cls, store_dir: Path) -> VocabularyStore:
        return cls(Path(store_dir) / VOCABULARY_FILE)

    @property
    def exists(self) -> bool:
        return self.path.exists()

    @contextmanager
    def _connect(self, *, write: bool = False) -> Iterator[sqlite3.Connection]:
        if write:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        elif not self.path.exists():
            raise StoreError(f"no vocabulary has been imported into {self.path.parent} (see `evx vocab import`)")
        try:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path} cannot be opened: {exc}") from exc
        try:
            if write:
                conn.executescript(_SCHEMA)
            yield conn
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a readable vocabulary ({exc}); remove it and import again") from exc
        finally:
            conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connect(write=True) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # -- imports -----------------------------------------------------------------------
    def import_mesh(self, records: Iterable, *, file: str) -> ImportReport:
        """Descriptors with names, tree numbers and entry terms; all or nothing."""
        from loaders.text.normal import key  # the matcher's folding decides the stored keys

        count = terms = 0
        with self._transaction() as conn:
            for rec in records:
                count += 1
                conn.execute(
                    "INSERT INTO concepts(mesh, name, kind, trees) VALUES (?, ?, ?, ?) ON CONFLICT(mesh) DO UPDATE SET "
                    "name = coalesce(excluded.name, name), kind = coalesce(excluded.kind, kind), "
                    "trees = CASE WHEN excluded.trees != '' THEN excluded.trees ELSE trees END",
                    (rec.mesh, rec.name, rec.kind, ";".join(rec.trees)),
                )
                for term in dict.fromkeys((*((rec.name,) if rec.name else ()), *rec.terms)):
                    folded = key(term)
                    if not folded:
                        continue
                    terms += 1
                    conn.execute(
                        "INSERT INTO terms(term, mesh, cased, count, origin) VALUES (?, ?, ?, 0, 'mesh') "
                        "ON CONFLICT(term, mesh) DO NOTHING",
                        (folded, rec.mesh, _cased(term)),
                    )
            report = self._log(conn, "mesh", file, count, terms)
        return report

    def import_annotations(self, records: Iterable, *, file: str) -> ImportReport:
        """Mention → MeSH id synonyms, and how often each name is annotated where it occurs."""
        from loaders.text.normal import fold, key

        count = terms = 0
        names: dict[str, Counter[str]] = {}
        kinds: dict[str, str] = {}
        used: Counter[tuple[str, str]] = Counter()
        relations: Counter[tuple[str, str]] = Counter()
        texts: list[tuple[str, set[tuple[int, int]]]] = []
        roles: dict[str, list[int]] = {}  # mesh -> [abstracts naming it, as the cause, as the effect]
        for rec in records:
            count += 1
            for mesh in {i for ann in rec.annotations for i in ann.ids}:
                roles.setdefault(mesh, [0, 0, 0])[0] += 1
            for chemical in {c for c, _ in rec.relations}:
                roles.setdefault(chemical, [0, 0, 0])[1] += 1
            for disease in {d for _, d in rec.relations}:
                roles.setdefault(disease, [0, 0, 0])[2] += 1
            spans = set()
            for ann in rec.annotations:
                spans.add((ann.start, ann.end))
                kind = _KINDS.get(ann.type)
                if kind is None or len(ann.ids) != 1:
                    continue  # composite mentions ("ovarian and testicular cancer") teach no single name
                mesh = ann.ids[0]
                folded = key(ann.text)
                if not folded:
                    continue
                used[(folded, mesh)] += 1
                kinds.setdefault(mesh, kind)
                names.setdefault(mesh, Counter())[ann.text] += 1
                terms += 1
            texts.append((fold(rec.text), spans))
            relations.update(rec.relations)
        with self._transaction() as conn:
            for mesh, kind in kinds.items():
                name = names[mesh].most_common(1)[0][0]
                conn.execute(
                    "INSERT INTO concepts(mesh, name, kind, trees) VALUES (?, ?, ?, '') "
                    "ON CONFLICT(mesh) DO UPDATE SET kind = coalesce(kind, excluded.kind)",
                    (mesh, name, kind),
                )
            for (folded, mesh), n in used.items():
                original = max((t for t in names[mesh] if key(t) == folded), key=lambda t: names[mesh][t])
                conn.execute(
                    "INSERT INTO terms(term, mesh, cased, count, origin) VALUES (?, ?, ?, ?, 'pubtator') "
                    "ON CONFLICT(term, mesh) DO UPDATE SET count = count + excluded.count",
                    (folded, mesh, _cased(original), n),
                )
            for (chemical, disease), n in relations.items():
                conn.execute(
                    "INSERT INTO relations(chemical, disease, count) VALUES (?, ?, ?) "
                    "ON CONFLICT(chemical, disease) DO UPDATE SET count = count + excluded.count",
                    (chemical, disease, n),
                )
            for mesh, (named, cause, effect) in roles.items():
                conn.execute(
                    "INSERT INTO concept_roles(mesh, abstracts, as_chemical, as_disease) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(mesh) DO UPDATE SET abstracts = abstracts + excluded.abstracts, "
                    "as_chemical = as_chemical + excluded.as_chemical, as_disease = as_disease + excluded.as_disease",
                    (mesh, named, cause, effect),
                )
            self._learn_use(conn, texts)
            report = self._log(conn, "pubtator", file, count, terms)
        return report

    def _learn_use(self, conn: sqlite3.Connection, texts: list[tuple[str, set[tuple[int, int]]]]) -> None:
        """Count, for every known name, its occurrences in the annotated texts and how many were annotated."""
        import ahocorasick

        automaton = ahocorasick.Automaton()
        for (term,) in conn.execute("SELECT DISTINCT term FROM terms"):
            if len(term) >= 2:
                automaton.add_word(term, term)
        if len(automaton) == 0:
            return
        automaton.make_automaton()
        seen: Counter[str] = Counter()
        annotated: Counter[str] = Counter()
        for folded, spans in texts:
            ordered = sorted(spans)
            for end, term in automaton.iter(folded):
                start = end - len(term) + 1
                if (start > 0 and folded[start - 1].isalnum()) or (end + 1 < len(folded) and folded[end + 1].isalnum()):
                    continue
                if (start, end + 1) in spans:
                    seen[term] += 1
                    annotated[term] += 1
                elif not any(s <= start and end < e for s, e in ordered):
                    seen[term] += 1
                # inside a longer annotated mention ("cancer" in "breast cancer") says nothing either way
        for term, n in seen.items():
            conn.execute(
                "INSERT INTO term_use(term, seen, annotated) VALUES (?, ?, ?) ON CONFLICT(term) DO UPDATE SET "
                "seen = seen + excluded.seen, annotated = annotated + excluded.annotated",
                (term, n, annotated[term]),
            )

    @staticmethod
    def _log(conn: sqlite3.Connection, what: str, file: str, records: int, terms: int) -> ImportReport:
        if records == 0:
            raise LoadError("no records in the file; nothing imported", path=file)
        conn.execute(
            "INSERT INTO imports(at, what, file, records, terms) VALUES (?, ?, ?, ?, ?)",
            (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), what, file, records, terms),
        )
        return ImportReport(what, file, records, terms)

    # -- reading -----------------------------------------------------------------------
    def stats(self) -> VocabularyStats:
        if not self.exists:
            return VocabularyStats({}, 0, 0, [])
        with self._connect() as conn:
            kinds = {k or "": n for k, n in conn.execute("SELECT kind, count(*) FROM concepts GROUP BY kind")}
            terms = conn.execute("SELECT count(*) FROM terms").fetchone()[0]
            uses = conn.execute("SELECT count(*) FROM term_use").fetchone()[0]
            imports = [
                ImportReport(w, f, r, t)
                for w, f, r, t in conn.execute("SELECT what, file, records, terms FROM imports")
            ]
        return VocabularyStats(kinds, terms, uses, imports)

    def entries(self) -> list[Entry]:
        """Every name of a concept whose kind is known, for the recogniser."""
        if not self.exists:
            return []
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT t.term, t.mesh, c.name, c.kind, t.cased, t.count FROM terms t JOIN concepts c ON c.mesh = t.mesh "
                "WHERE c.kind IS NOT NULL"
            ).fetchall()
        return [Entry(*row) for row in rows]

    def term_use(self) -> dict[str, tuple[int, int]]:
        if not self.exists:
            return {}
        with self._connect() as conn:
            return {t: (s, a) for t, s, a in conn.execute("SELECT term, seen, annotated FROM term_use")}

    def known_relations(self) -> frozenset[tuple[str, str]]:
        """Chemical → disease pairs annotators have stated somewhere (a prior, like CTD's curated links)."""
        if not self.exists:
            return frozenset()
        with self._connect() as conn:
            return frozenset(conn.execute("SELECT chemical, disease FROM relations"))

    def concept_roles(self) -> dict[str, tuple[int, int, int]]:
        """MeSH id → (annotated abstracts naming it, those where it causes, those where it is caused).

        A disease annotators name in many abstracts and seldom as an effect ("hypertension" treated)
        is less likely an adverse effect than one that is nearly always one ("hepatotoxicity").
        """
        if not self.exists:
            return {}
        with self._connect() as conn:
            try:
                rows = conn.execute("SELECT mesh, abstracts, as_chemical, as_disease FROM concept_roles").fetchall()
            except sqlite3.OperationalError:
                return {}  # a vocabulary imported before the table existed: no roles until annotations are reimported
            return {m: (a, c, d) for m, a, c, d in rows}

    def trees(self) -> dict[str, tuple[str, ...]]:
        """MeSH id → tree numbers (for "is this disease a parent of that one")."""
        if not self.exists:
            return {}
        with self._connect() as conn:
            return {
                m: tuple(t.split(";")) for m, t in conn.execute("SELECT mesh, trees FROM concepts WHERE trees != ''")
            }


def _cased(term: str) -> str | None:
    """Short names with capitals match only as written ("NO" is nitric oxide, "no" is not)."""
    from loaders.text.normal import is_abbreviation

    return term if is_abbreviation(term) else None


def import_error(exc: Exception, path: str) -> EvidenceError:
    """A reader's or the database's error as the one the user sees (nothing was imported)."""
    if isinstance(exc, EvidenceError):
        return exc
    return LoadError(f"{exc}; nothing was imported", path=path)
