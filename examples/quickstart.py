"""Quick start: run the main job (the support-queue report) on the bundled sample portfolio.

The same as running ``paysupport report`` after ``pip install .``.
"""

from paysupport.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["report"]))
