"""Importing this module pauses Python's cyclic garbage collector until :func:`resume` (issue 10).

``kawaoffice.app`` imports it first: while PySide6, KawaOffice's light modules and the Qt classes' enums load, the
interpreter allocates a few hundred thousand objects and frees almost none, and the collector ran ~35 times over
them before the start-up window showed (~8 ms of every start). The app resumes it once its own imports are done,
with what they loaded frozen (``gc.freeze``: modules, classes and functions live as long as the process, so no
collection needs to scan them again). Nothing else should import this module.
"""

from __future__ import annotations

import gc

_was_enabled = gc.isenabled()
gc.disable()


def resume() -> None:
    """Freeze what is loaded and let the collector run again (if it ran before); safe to call more than once."""
    gc.freeze()
    if _was_enabled:
        gc.enable()
