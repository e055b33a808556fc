"""KawaOffice: the international program office's desktop app."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kawaoffice")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

APP_NAME = "KawaOffice"
