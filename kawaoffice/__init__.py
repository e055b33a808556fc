"""KawaOffice: the international program office's desktop app."""

# The version, written here rather than read from the installed package's metadata: ``importlib.metadata`` costs
# about 40-90 ms at every start (issue 10). tests/test_version.py checks that it is pyproject.toml's version and,
# when KawaOffice is installed, the installed one.
__version__ = "0.1.0"

APP_NAME = "KawaOffice"
