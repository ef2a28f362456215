"""The process the crash test kills: load the test's documents into a store.

``python crash_loader.py STORE READINGS`` writes, one transaction per document, the documents
of ``READINGS`` (a pickle the test wrote: file path → the documents read from it, in load
order); ``python crash_loader.py --batch N STORE READINGS`` runs the batched pipeline `evx load`
runs (:func:`graph.pipeline.load_files` over those files, ``N`` documents per transaction).
Either way it says ``begin <n>`` before and ``done <n>`` after the write of document ``n`` (for
a batch: of each of its documents), so the test can aim its SIGKILL at the middle of a write.

The documents come from the test rather than from parsing the files here, so every process of a
round writes exactly what the test's reference was computed from: the test is about the write
path, and a loader edited between two processes of a run must not read as a torn store.
"""

from __future__ import annotations

import pickle
import sys
from collections.abc import Iterable
from pathlib import Path

from graph.model import Document
from graph.pipeline import load_files
from graph.store.base import BatchResult
from graph.store.ladybug.store import LadybugStore


class _Announcing(LadybugStore):
    """The embedded store, printing which documents each batch write covers."""

    written = 0

    def ingest_many(self, documents: Iterable[Document]) -> BatchResult:
        batch = list(documents)
        numbers = range(self.written, self.written + len(batch))
        for n in numbers:
            print(f"begin {n}", flush=True)
        result = super().ingest_many(batch)
        for n in numbers:
            print(f"done {n}", flush=True)
        self.written += len(batch)
        return result


def main(store_dir: str, readings_file: str, batch: int | None) -> None:
    readings: dict[str, list[Document]] = pickle.loads(Path(readings_file).read_bytes())
    if batch is not None:
        with _Announcing(Path(store_dir)) as store:
            summary = load_files(
                store,
                [Path(f) for f in readings],
                parse=lambda path: readings[str(path)],
                workers=0,
                batch_documents=batch,
            )
        if summary.failed_files or summary.refused:
            raise SystemExit(f"load failed: {[f.error for f in summary.failed_files]} {summary.refused}")
    else:
        with LadybugStore(Path(store_dir)) as store:
            n = 0
            for documents in readings.values():
                for document in documents:
                    print(f"begin {n}", flush=True)
                    store.ingest(document)
                    print(f"done {n}", flush=True)
                    n += 1
    print("finished", flush=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    size = None
    if args[:1] == ["--batch"]:
        size, args = int(args[1]), args[2:]
    main(args[0], args[1], size)
