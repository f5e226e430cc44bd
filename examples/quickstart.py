"""Quick start: run the main job (the support queue) on the bundled sample portfolio.

The same as ``paysupport demo`` after ``pip install ".[cli]"``.
"""

from paysupport.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["demo"]))
