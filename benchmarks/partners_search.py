"""Search-as-you-type latency of the Partners tab (10,000 organizations and 100,000 contacts at scale 100).

Each keystroke of realistic typed sequences goes through the tab's own table model (``PartnersModel.set_filter``:
the in-memory search of ``services.partner_search.PartnerIndex`` plus the first page of rows from the database).
Reports p50/p95 per keystroke (target: p95 under 16 ms) and the background index build time. Part of the runner
(``python -m benchmarks --only search``); also runs alone:

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m benchmarks.partners_search [--scale 100]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from benchmarks.common import Result, render_table
from kawaoffice.qtfix import guard_none_refcount

TARGET_MS = 16.0
TYPED = [
    "かわさき",  # kana, typed one character at a time
    "ｶﾜｻｷ",  # half-width katakana
    "kawasaki",
    "田中",
    "tanaka",
    "yamada.taro",
    "@demo.example",
    "044200",  # digits of a phone number
    "ナムパパ",
    "漏水",
]


def measure_search(url: str, backend: str) -> list[Result]:
    from PySide6.QtCore import QCoreApplication

    from kawaoffice.model.partners import OrganizationKind
    from kawaoffice.services import partner_search as ps
    from kawaoffice.storage import open_database
    from kawaoffice.ui.partners.model import PartnersModel

    guard_none_refcount()
    _app = QCoreApplication.instance() or QCoreApplication(sys.argv[:1])
    db = open_database(url, "bench")
    try:
        model = PartnersModel(db.session)
        start = time.perf_counter()
        model.reload()
        shown = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        model.wait_for_index()
        built = (time.perf_counter() - start) * 1000
        timings: list[float] = []
        for kinds in (frozenset(), frozenset({OrganizationKind.MEMBER})):
            for word in TYPED:
                for n in range(1, len(word) + 1):
                    flt = ps.PartnerFilter(text=word[:n], kinds=kinds)
                    start = time.perf_counter()
                    model.set_filter(flt)
                    model.data(model.index(0, 0))
                    timings.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()  # the user clears the box before the next word
                model.set_filter(ps.PartnerFilter(kinds=kinds))
                timings.append((time.perf_counter() - start) * 1000)
        return [
            Result("partner search per keystroke", backend, timings, TARGET_MS, note=f"{len(timings)} keys"),
            Result("partner list order + first page", backend, [shown], None, note="the tab's reload()"),
            Result(
                "partner search index (background)",
                backend,
                [shown + built],
                None,
                note="worker thread, after the list is shown",
            ),
        ]
    finally:
        db.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--lang", default="ja", choices=("ja", "en"))
    args = parser.parse_args()
    from benchmarks.databases import sqlite_database
    from kawaoffice.i18n import set_language

    set_language(args.lang)
    url, _built = sqlite_database(args.scale)
    print(render_table(measure_search(url, "sqlite")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
