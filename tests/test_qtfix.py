"""The None reference-count guard the app installs at start (PySide6 6.12 on Python 3.11 drops a reference to
None on every void Qt call; without the guard the interpreter aborts after enough calls)."""

from __future__ import annotations

import subprocess
import sys


def test_many_void_qt_calls_do_not_abort_the_guarded_interpreter() -> None:
    # more void calls than None had references before the guard: unguarded, this aborts on PySide6 6.12.0
    code = (
        "import sys; from PySide6.QtCore import QObject; o = QObject(); calls = 3 * sys.getrefcount(None) // 2 + 1000\n"
        "from kawaoffice.qtfix import guard_none_refcount, leaks_none; guard_none_refcount()\n"
        "for _ in range(calls): o.setObjectName('x')\n"
        "print('alive', calls)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.startswith("alive")
