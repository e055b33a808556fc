"""``python -m kawaoffice`` starts the desktop app."""

from kawaoffice.app import main

raise SystemExit(main())
