"""Run the support desk: ``python -m examples.support_desk [database_url] [--seed]``.

Serves the API with uvicorn if it is installed (it is not a dependency of paysupport), on
http://127.0.0.1:8000 (docs at /docs). Without uvicorn, prints how to get it.
"""

from __future__ import annotations

import sys
from importlib.util import find_spec

DEFAULT_URL = "sqlite:///support_desk.db"


def main(argv: list[str] | None = None) -> int:
    """Start the service (or explain how); returns the process exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    seed = "--seed" in args
    args = [a for a in args if a != "--seed"]
    url = args[0] if args else DEFAULT_URL
    if find_spec("uvicorn") is None:
        print(
            "uvicorn is not installed. Install it (pip install uvicorn) and run again:\n"
            f"    python -m examples.support_desk {url} [--seed]\n"
            "or serve the app factory with any ASGI server:\n"
            f"    examples.support_desk.app:create_app('{url}')",
            file=sys.stderr,
        )
        return 2
    import uvicorn  # type: ignore[import-not-found,unused-ignore]
    from examples.support_desk.app import create_app

    app = create_app(url)
    if seed:
        app.state.service.seed_sample()
    uvicorn.run(app, host="127.0.0.1", port=8000)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
