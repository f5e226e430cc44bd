"""The documentation site works offline and shows no Sphinx roles.

The site is built once (``mkdocs build --strict``, as CI does), then read as a browser would:
no page may load anything from another host, the lifecycle diagrams come with the site's own
Mermaid, and no page shows a Sphinx role as literal text. The fast checks on the sources run
without a build. (That each lifecycle page shows the diagram the code draws now is
``tests/lifecycles/test_docs.py``.)
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from paysupport.lifecycles import LIFECYCLES

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
MERMAID = DOCS / "assets" / "javascripts" / "mermaid.min.js"
ROLE = re.compile(r":(?:class|func|meth|mod|attr|data|exc|obj|py:\w+):`")


class _Resources(HTMLParser):
    """The URLs a page makes the browser fetch (scripts, styles, images, frames, fonts)."""

    def __init__(self) -> None:
        super().__init__()
        self.fetched: list[str] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("script", "img", "iframe", "source", "audio", "video", "embed") and a.get("src"):
            self.fetched.append(a["src"] or "")
            if tag == "script":
                self.scripts.append(a["src"] or "")
        rel = (a.get("rel") or "").split()
        if tag == "link" and {"stylesheet", "preload", "modulepreload", "icon"} & set(rel):
            self.fetched.append(a.get("href") or "")


def _is_remote(url: str) -> bool:
    return url.startswith(("http://", "https://", "//"))


# ---------------------------------------------------------------- fast checks on the sources
def test_no_sphinx_roles_in_docstrings_or_pages() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for folder, pattern in ((ROOT / "src", "*.py"), (DOCS, "*.md"))
        for path in sorted(folder.rglob(pattern))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if ROLE.search(line)
    ]
    hint = "Sphinx roles render as literal text; write [name][paysupport.x.name]:\n"
    assert not offenders, hint + "\n".join(offenders[:20])


def test_the_role_check_catches_a_role() -> None:
    assert ROLE.search("Returns a :class:`~paysupport.money.Money`.")
    assert not ROLE.search("Returns a [Money][paysupport.money.Money].")


def test_mermaid_is_vendored_with_its_licence() -> None:
    assert MERMAID.stat().st_size > 1_000_000  # the real bundle, not a stub
    assert (MERMAID.parent / "mermaid.LICENSE").read_text(encoding="utf-8").startswith("The MIT")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "assets/javascripts/mermaid.min.js" in config
    assert re.search(r"^\s+font: false", config, re.M), "web fonts come from a CDN"


# ---------------------------------------------------------------- the built site
@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return out


def _pages(site: Path) -> list[Path]:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 20
    return pages


def test_no_page_loads_anything_from_another_host(site: Path) -> None:
    remote: list[str] = []
    for page in _pages(site):
        parser = _Resources()
        parser.feed(page.read_text(encoding="utf-8"))
        remote += [f"{page.relative_to(site)}: {u}" for u in parser.fetched if _is_remote(u)]
    for css in site.rglob("*.css"):
        text = css.read_text(encoding="utf-8", errors="replace")
        remote += [f"{css.name}: {u}" for u in re.findall(r"@import\s+url\(([^)]+)\)", text)]
    assert not remote, "\n".join(remote[:20])


def test_pages_with_diagrams_load_the_sites_own_mermaid(site: Path) -> None:
    assert (site / "assets" / "javascripts" / "mermaid.min.js").stat().st_size > 1_000_000
    with_diagrams = [p for p in _pages(site) if 'class="mermaid"' in p.read_text("utf-8")]
    assert len(with_diagrams) >= len(LIFECYCLES)
    for page in with_diagrams:
        parser = _Resources()
        parser.feed(page.read_text(encoding="utf-8"))
        assert any(s.endswith("assets/javascripts/mermaid.min.js") for s in parser.scripts), page


def test_no_page_shows_a_literal_role(site: Path) -> None:
    shown = [
        f"{page.relative_to(site)}: {m.group(0)}"
        for page in _pages(site)
        for m in re.finditer(r":(?:class|func|meth|mod|attr|data|exc):", page.read_text("utf-8"))
    ]
    assert not shown, "\n".join(shown[:20])


def test_the_architecture_page_names_every_folder_and_layer() -> None:
    import tomllib

    page = (DOCS / "architecture.md").read_text(encoding="utf-8")
    package = ROOT / "src" / "paysupport"
    parts = [
        f"`{p.name}/`" if p.is_dir() else f"`{p.name}`"
        for p in sorted(package.iterdir())
        if (p.is_dir() and (p / "__init__.py").exists()) or (p.suffix == ".py")
        if p.name not in ("__init__.py", "__main__.py")
    ]
    missing = [p for p in parts if p not in page and f"(+ {p})" not in page]
    assert not missing, f"docs/architecture.md does not place {missing}"
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")
    layers = [m.strip() for layer in contract["layers"] for m in layer.split("|")]
    for module in layers:
        name = module.removeprefix("paysupport.")
        assert f"`{name}/`" in page or f"`{name}.py`" in page, f"{module} not on the page"
