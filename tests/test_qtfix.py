"""The None reference-count guard the app installs at start (PySide6 6.12 on Python 3.11 drops a reference to
None on every void Qt call; without the guard the interpreter aborts after enough calls)."""

from __future__ import annotations

import subprocess
import sys


def test_many_void_qt_calls_do_not_abort_the_guarded_interpreter() -> None:
    code = (
        "import sys; from kawaoffice.qtfix import guard_none_refcount; guard_none_refcount();"
        "from PySide6.QtCore import QObject; o = QObject()\n"
        "for _ in range(3 * sys.getrefcount(None) // 2 + 1000): o.setObjectName('x')\n"
        "print('alive')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.strip() == "alive"
