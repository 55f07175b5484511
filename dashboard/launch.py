"""The dashboard server with the pages' modules imported before the first visitor arrives.

``python -m dashboard.launch ARGS...`` takes the arguments of ``streamlit run`` (``pilot serve``
runs it). Streamlit runs every page in this process, so what :func:`dashboard.preload.preload`
imported here is not imported again on a page's first load.
"""

from __future__ import annotations

import sys

from dashboard.preload import preload


def main(argv: list[str]) -> None:
    """Import the pages' modules, then hand over to ``streamlit run`` (which exits)."""
    preload()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", *argv]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main(sys.argv[1:])
