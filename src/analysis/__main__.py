"""``python -m analysis``: the command line (:mod:`analysis.cli`)."""

import atexit
import os
import sys

from analysis.cli import main

code = main()
# Leave without the interpreter's teardown: after a build it frees about a
# gigabyte of Python objects (dictionaries, token lists) one by one, which takes
# half a second and serves nothing. Exit handlers still run, and every output
# has been written and closed by then.
atexit._run_exitfuncs()
for stream in (sys.stdout, sys.stderr):
    try:
        stream.flush()
    except (OSError, ValueError):  # closed, or a reader that went away
        pass
os._exit(code)
