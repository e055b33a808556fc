"""``python -m kawaoffice`` starts the desktop app (through its entry point, ``kawaoffice.launch``)."""

from kawaoffice.launch import main

raise SystemExit(main())
