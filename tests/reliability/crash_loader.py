"""The process the crash test kills: load every file named on the command line into a store.

``python crash_loader.py STORE FILE...`` does what `evx load` did per document (detect the
format, read the documents, ingest each one); ``python crash_loader.py --batch N STORE FILE...``
runs the batched pipeline `evx load` runs now (:func:`graph.pipeline.load_files`, ``N`` documents
per transaction).  Either way it says ``begin <n>`` before and ``done <n>`` after the write of
document ``n`` (for a batch: of each of its documents), so the test can aim its SIGKILL at the
middle of a write.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from graph.model import Document
from graph.pipeline import load_files
from graph.store.base import BatchResult
from graph.store.ladybug import LadybugStore
from loaders import load_path


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


def main(store_dir: str, files: list[str], batch: int | None) -> None:
    if batch is not None:
        with _Announcing(Path(store_dir)) as store:
            summary = load_files(store, [Path(f) for f in files], parse=load_path, workers=0, batch_documents=batch)
        if summary.failed_files or summary.refused:
            raise SystemExit(f"load failed: {[f.error for f in summary.failed_files]} {summary.refused}")
    else:
        with LadybugStore(Path(store_dir)) as store:
            n = 0
            for name in files:
                for document in load_path(Path(name)):
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
    main(args[0], args[1:], size)
