"""The start-up preview's reader process for the shared database (issue 10).

``storage.first_page.begin_preview`` starts this in a separate process before Qt starts, with the request (URL,
language, rows) on its standard input, and reads the first page back as JSON from its standard output once the
Qt application is up. In a process of its own, importing psycopg and keyring (with the credential store's
discovery), logging in and reading the page run on another core while the app imports PySide6 and starts Qt: in a
thread they would share the interpreter lock with the UI thread and add ~0.3 s before the window.

The password comes from the URL or the credential store only, never asked for (``first_page.read_server_preview``);
it never leaves this process. What the reader logged is sent back with the page and logged by the app.

    python -m kawaoffice.storage.first_page_reader        (the frozen app: ``kawaoffice.exe --read-first-page``)
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import asdict
from typing import Any

from kawaoffice.storage.first_page import FirstPage, read_server_preview


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.levelno, record.getMessage()))


def answer(request: dict[str, Any]) -> dict[str, Any]:
    """The reply to one request: ``{"page": FirstPage as a dict or None, "log": [[level, message], ...]}``."""
    kept = _Kept()
    logger = logging.getLogger("kawaoffice")
    logger.addHandler(kept)
    logger.setLevel(logging.INFO)
    page: FirstPage | None = None
    try:
        page = read_server_preview(str(request["url"]), str(request["language"]), int(request["limit"]))
    except Exception as exc:  # (the app takes the normal path, which says what is wrong)
        kept.records.append((logging.INFO, f"no start-up preview: {type(exc).__name__}"))
    finally:
        logger.removeHandler(kept)
    return {"page": asdict(page) if page is not None else None, "log": kept.records}


def main() -> int:
    try:
        request = json.loads(sys.stdin.read())
    except ValueError:
        return 2
    sys.stdout.write(json.dumps(answer(request), ensure_ascii=False))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
