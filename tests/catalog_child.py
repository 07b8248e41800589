"""A process importing an element file into a store, for the crash and concurrency tests.

``python tests/catalog_child.py DB FILE``: after the first batch of rows, inside the open
transaction, it prints ``progress N`` and waits for a line on stdin (the test kills it
there with SIGKILL, or lets a reader work and then lets it go on); at the end it prints
``committed N``.
"""

from __future__ import annotations

import sys


def main(db: str, source: str) -> None:
    from zarya.elements.store import open_store

    waited = False

    def progress(done: int) -> None:
        nonlocal waited
        print(f"progress {done}", flush=True)
        if not waited:
            waited = True
            sys.stdin.readline()

    with open_store(db) as store:
        [summary] = store.import_files([source], progress=progress)
    print(f"committed {summary.added}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
