"""The process the crash test kills: load every file named on the command line into a store.

It does what `evx load` does (detect the format, read the documents, ingest each one) and
says ``begin <n>`` before and ``done <n>`` after each ingest, so the test can aim its
SIGKILL at the middle of a write.  Run: ``python crash_loader.py STORE FILE...``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from graph.store.ladybug import LadybugStore
from loaders import load_path


def main(store_dir: str, files: list[str]) -> None:
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
    main(sys.argv[1], sys.argv[2:])
