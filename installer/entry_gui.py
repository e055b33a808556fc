"""Entry point of the frozen kawaoffice(.exe): the desktop app (``kawaoffice.launch:main``), or with
``--read-first-page`` the start-up preview's reader process (``kawaoffice.storage.first_page_reader``), which the app
starts itself with a shared database (nothing of Qt is imported for it; the process ends once it has answered)."""

import sys

if sys.argv[1:2] == ["--read-first-page"]:  # kawaoffice.storage.first_page_reader.READER_FLAG (tested)
    from kawaoffice.storage.first_page_reader import run as read_first_page

    read_first_page()

from kawaoffice.launch import main

raise SystemExit(main())
