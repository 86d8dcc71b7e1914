"""`python -m core …` is `python -m cli …`, the command line (kept for scripts that use it)."""

import runpy

runpy.run_module("cli", run_name="__main__", alter_sys=True)
