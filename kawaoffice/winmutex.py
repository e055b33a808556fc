"""The named mutex that tells KawaOffice's installer and uninstaller the app is running (Inno Setup's AppMutex).

``hold_app_mutex()`` creates the mutex once per process and keeps its handle open until the process ends (Windows
closes it then, also after a crash). Setup and the uninstaller check for it and ask the user to close KawaOffice
instead of replacing files in use. Both the session-local name and the ``Global\\`` one are created, so an instance
in another user's session (fast user switching) counts too. Elsewhere than Windows this does nothing.
"""

from __future__ import annotations

import logging
import sys

MUTEX_NAME = "KawaOfficeRunningMutex"  # installer/kawaoffice.iss: AppMutex
log = logging.getLogger(__name__)

_handles: list[int] = []


def mutex_names(name: str = MUTEX_NAME) -> tuple[str, str]:
    return name, f"Global\\{name}"


def hold_app_mutex(name: str = MUTEX_NAME) -> bool:
    """Create the app's named mutexes (idempotent). ``True`` when at least one is held; never raises."""
    if sys.platform != "win32":
        return False
    if _handles:
        return True
    try:
        import ctypes
        from ctypes import wintypes

        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined,unused-ignore]
        create = kernel32.CreateMutexW
        create.argtypes = [wintypes.LPVOID, wintypes.BOOL, wintypes.LPCWSTR]
        create.restype = wintypes.HANDLE
        for mutex in mutex_names(name):
            handle = create(None, False, mutex)
            if handle:
                _handles.append(int(handle))
            else:  # e.g. Global\ refused by policy: the session-local one is enough for the installer
                log.info("could not create the mutex %s (error %s)", mutex, ctypes.get_last_error())  # type: ignore[attr-defined,unused-ignore]
    except (OSError, AttributeError) as exc:
        log.warning("could not create the app mutex: %s", exc)
    return bool(_handles)
