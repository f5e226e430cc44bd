"""``python -m paysupport``: the same as the ``paysupport`` command."""

from paysupport.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
