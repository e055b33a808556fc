"""Entry point of the frozen kawaoffice(.exe): the desktop app (``kawaoffice.app:main``)."""

from kawaoffice.app import main

raise SystemExit(main())
