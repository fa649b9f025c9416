"""The Japanese edition of the website and the slides renders in Chromium without tofu.

`make book` and `make slides` build the Japanese edition (from chapters/ja/) into
book/_build/html/ja/ and book/_build/slides/ja/. This opens every Japanese book page and
one Japanese deck over http://127.0.0.1 in Debian's headless Chromium, with the fonts
installed as a user would (Debian's fonts-noto-cjk; .ci/run installs it), and asserts:

- Japanese text is drawn with a CJK font: Chrome DevTools' CSS.getPlatformFontsForNode
  names the fonts that rendered a heading and a paragraph, and a CJK font must have drawn
  at least as many glyphs as the element has Japanese characters;
- no missing glyph: every character of the page's text is in the cmap of a font that
  rendered it (fontTools reads the font files fontconfig resolves);
- maths is typeset, every image (the figures, the widgets' static figures) loaded, no
  script error, nothing requested from outside; each page links to the English edition.

Screenshots go to test-artifacts/ (ja-*.png). Skips (with the reason) without Chromium,
Playwright, npm or a CJK font.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from book_pages import CHROMIUM, PROJECTOR, chromium, deck_misfits, load, serve

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "book" / "_build"
HTML_JA = BUILD / "html" / "ja"
SLIDES_JA = BUILD / "slides" / "ja"
ARTIFACTS = ROOT / "test-artifacts"
JA_NOTEBOOKS = sorted((ROOT / "chapters" / "ja").glob("[0-9][0-9]_*.ipynb"))
JA_SOLUTIONS = sorted((ROOT / "chapters" / "ja" / "solutions").glob("*.ipynb"))
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff60\u3000-\u303f]")

pytestmark = pytest.mark.network  # a local http.server on 127.0.0.1, nothing else


def _font_file(family: str) -> Path | None:
    """The file fontconfig uses for ``family`` (as Chromium on Linux does)."""
    fc = shutil.which("fc-match")
    if fc is None:
        return None
    out = subprocess.run([fc, "-f", "%{file}", family], capture_output=True, text=True).stdout.strip()
    return Path(out) if out else None


@functools.lru_cache(maxsize=None)
def _cmap(family: str) -> frozenset[int]:
    from fontTools.ttLib import TTCollection, TTFont

    path = _font_file(family)
    if path is None or not path.exists():
        return frozenset()
    fonts = TTCollection(str(path)).fonts if path.suffix.lower() == ".ttc" else [TTFont(str(path))]
    codes: set[int] = set()
    for font in fonts:
        codes |= set(font.getBestCmap() or {})
    return frozenset(codes)


@pytest.fixture(scope="module")
def built() -> None:
    if shutil.which("npm") is None:
        pytest.skip("npm is missing: the build vendors MathJax, reveal.js etc. with `npm ci`")
    if not JA_NOTEBOOKS:
        pytest.skip("no Japanese chapter in chapters/ja")
    # tests/test_book.py (run first) builds both editions; rebuild only what is missing or stale
    sources = [*(ROOT / "chapters" / "ja").rglob("*.ipynb"), ROOT / "chapters" / "ja" / "GLOSSARY.md",
               ROOT / "book" / "build.py", ROOT / "i18n" / "ja" / "book" / "intro.md"]
    outputs = [HTML_JA / "intro.html", SLIDES_JA / "index.html"]
    newest = max(p.stat().st_mtime for p in sources)
    if not all(o.exists() and o.stat().st_mtime >= newest for o in outputs):
        subprocess.run([sys.executable, str(ROOT / "book" / "build.py"), "book", "slides"], cwd=ROOT, check=True)


@pytest.fixture(scope="module")
def server(built):
    with serve(BUILD) as url:
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing (apt-get install chromium chromium-driver)")
    if not _cmap("Noto Sans CJK JP"):
        pytest.skip("no CJK font: apt-get install fonts-noto-cjk (.ci/run does)")
    pytest.importorskip("playwright.sync_api", reason="Playwright is missing (pip install playwright)")
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as context:
        yield context


def _fonts(context, page, selector: str) -> list[dict]:
    """CSS.getPlatformFontsForNode for the first element matching ``selector``."""
    cdp = context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, f"{page.url}: no element {selector!r}"
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return fonts


def check_japanese_text(context, page, selectors: list[str]) -> None:
    """A CJK font drew the Japanese of each element, and every character has a glyph."""
    used: set[str] = set()
    for selector in selectors:
        text = page.locator(selector).first.inner_text()
        wanted = len(JAPANESE.findall(text))
        assert wanted, f"{page.url}: {selector!r} has no Japanese text: {text[:80]!r}"
        fonts = _fonts(context, page, selector)
        cjk = sum(f["glyphCount"] for f in fonts if "CJK" in f["familyName"])
        assert cjk >= wanted, (f"{page.url}: {selector!r} has {wanted} Japanese characters but a CJK font "
                               f"drew {cjk} glyphs; fonts used: {fonts}")
        used |= {f["familyName"] for f in fonts}
    body = page.inner_text("body")
    covered = frozenset().union(*(_cmap(family) for family in used | {"Noto Sans CJK JP"}))
    missing = sorted({ch for ch in body if JAPANESE.match(ch) and ord(ch) not in covered})
    assert not missing, f"{page.url}: characters without a glyph (tofu): {''.join(missing[:40])}"


def check_page(page, shot: str, math: str | None) -> None:
    if math:
        page.wait_for_selector(math, state="attached", timeout=30_000)
    page.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')")
    page.wait_for_function("Array.from(document.images).every(i => i.complete)", timeout=30_000)
    broken = page.evaluate("Array.from(document.images).filter(i => !(i.naturalWidth > 0)).map(i => i.src.slice(0, 100))")
    assert not broken, f"{page.url}: images that did not load: {broken}"
    assert "$$" not in page.inner_text("body"), f"{page.url}: raw $$ left (maths not typeset)"
    outside = [u for u in page.requests if not u.startswith(("file://", "http://127.0.0.1", "data:", "blob:"))]
    assert not outside, f"{page.url}: requests to outside: {outside}"
    assert not page.errors, f"{page.url}: script errors: {page.errors}"
    page.screenshot(path=str(ARTIFACTS / shot))


def test_japanese_start_page_and_glossary(server, browser) -> None:
    page = load(browser, f"{server}/html/ja/intro.html")
    check_page(page, "ja-book-start.png", math=None)
    assert page.evaluate("document.documentElement.lang") == "ja"
    check_japanese_text(browser, page, ["article h1", "article section p"])
    for nb in JA_NOTEBOOKS:
        assert page.locator(f"nav a[href*='{nb.stem}']").count() > 0, f"{nb.stem} not in the navigation"
    english = page.locator("a.edition-link")
    assert english.count() == 1 and english.inner_text() == "English"
    page.screenshot(path=str(ARTIFACTS / "ja-book-start-full.png"), full_page=True)

    glossary = load(browser, f"{server}/html/ja/chapters/GLOSSARY.html")
    check_page(glossary, "ja-book-glossary.png", math=None)
    check_japanese_text(browser, glossary, ["article h1", "article table td strong"])
    assert "誤差逆伝播法" in glossary.inner_text("body")


def test_english_pages_link_to_the_japanese_edition(server, browser) -> None:
    page = load(browser, f"{server}/html/chapters/00_prelude.html")
    link = page.locator("a.edition-link")
    assert link.count() == 1 and link.inner_text() == "日本語"
    link.click()
    page.wait_for_url("**/html/ja/chapters/00_prelude.html")
    check_japanese_text(browser, page, ["article h1"])


PAGES = [f"chapters/{nb.stem}" for nb in JA_NOTEBOOKS] + [f"chapters/solutions/{nb.stem}" for nb in JA_SOLUTIONS]


@pytest.mark.parametrize("stem", PAGES or ["none"])
def test_japanese_chapter_page(server, browser, stem: str) -> None:
    if stem == "none":
        pytest.skip("no Japanese chapter")
    page = load(browser, f"{server}/html/ja/{stem}.html")
    name = stem.replace("/", "-")
    check_page(page, f"ja-book-{name}.png", math="mjx-container")
    check_japanese_text(browser, page, ["article h1", "article section p"])
    if "solutions" not in stem:
        assert page.locator("article img").count() >= 3, "the chapter's figures (and widgets' static figures) are missing"
        assert "講師用メモ" in page.inner_text("body"), "the lecturer notes are not labelled in Japanese"
    page.locator("mjx-container:visible").first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"ja-book-{name}-maths.png"))


def test_japanese_deck(server, browser) -> None:
    index = load(browser, f"{server}/slides/ja/index.html")
    check_japanese_text(browser, index, ["h1", "p"])
    assert index.locator("a[href='../index.html']").count() == 1
    stem = JA_NOTEBOOKS[0].stem if JA_NOTEBOOKS else pytest.skip("no Japanese chapter")
    page = load(browser, f"{server}/slides/ja/{stem}.slides.html")
    page.wait_for_function("document.querySelector('.reveal.ready') !== null", timeout=30_000)
    check_page(page, f"ja-deck-{stem}-first.png", math=".MathJax_CHTML, .MathJax")
    check_japanese_text(browser, page, [".reveal .slides section h1"])
    page.evaluate("location.hash = '#/3'")  # a slide of prose and maths
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / f"ja-deck-{stem}-slide3.png"))
    assert page.locator("aside.notes").count() > 0, "the deck has no speaker notes"


@pytest.mark.parametrize("stem", [nb.stem for nb in JA_NOTEBOOKS] or ["none"])
def test_japanese_deck_fits_a_projector(server, browser, stem: str) -> None:
    """No code cell of a Japanese slide (the code is the English one, the printed lines and the
    widgets' labels are translated) reaches beyond the right edge of a 1280 x 720 screen.

    The English decks' test_deck checks every element and the slides' heights with the maths
    typeset; here MathJax is not loaded (typesetting a whole deck takes seconds), so the
    prose, whose maths would show as raw TeX, is left out."""
    if stem == "none":
        pytest.skip("no Japanese chapter")
    page = browser.new_page()
    page.set_viewport_size(PROJECTOR)
    page.route("**/mathjax2/**", lambda route: route.abort())
    page.goto(f"{server}/slides/ja/{stem}.slides.html", wait_until="load")
    page.wait_for_function("document.querySelector('.reveal.ready') !== null", timeout=30_000)
    misfits = deck_misfits(page, heights=False, scope=".jp-CodeCell *")
    page.close()
    assert not misfits, f"ja/{stem}: slides that do not fit a 1280x720 screen:\n" + "\n".join(misfits)
