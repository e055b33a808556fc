"""Entry point of the frozen kawaoffice-cli(.exe): the command line (``kawaoffice.cli:main``)."""

from kawaoffice.cli import main

raise SystemExit(main())
