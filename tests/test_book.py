"""The website and the slide decks build offline and render in a real browser.

Builds both the way `make book` and `make slides` do (book/build.py), then opens
the start page, the glossary, the search page and every chapter of the book over
http://127.0.0.1, and every chapter's deck over http (the first one also from
file://, with its speaker view), in Debian's headless Chromium driven by
Playwright. Each page must render its maths with MathJax, load every image, run
without script errors and request nothing from outside this machine.
Screenshots go to test-artifacts/ for a person to look at.

Skips (with the reason) when /usr/bin/chromium, Playwright or npm is missing.
BOOK_TEST_CHAPTERS=DIR builds from another folder of chapter notebooks.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from book_pages import CHROMIUM, chromium, deck_misfits, load, serve

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "book" / "_build"
HTML = BUILD / "html"
SLIDES = BUILD / "slides"
ARTIFACTS = ROOT / "test-artifacts"
CHAPTERS = Path(os.environ.get("BOOK_TEST_CHAPTERS", ROOT / "chapters"))
CHAPTER_NOTEBOOKS = sorted(CHAPTERS.glob("[0-9][0-9]_*.ipynb"))

pytestmark = pytest.mark.network  # a local http.server on 127.0.0.1, nothing else

# A script, stylesheet, image or font that the browser would fetch from another host.
EXTERNAL_TAG = re.compile(
    r"<(?:script|link|img|source|iframe)\b[^>]*?\b(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//",
    re.IGNORECASE,
)
EXTERNAL_CSS = re.compile(r"(?:@import\s+|url\(\s*)[\"']?\s*(?:https?:)?//", re.IGNORECASE)


# --------------------------------------------------------------------------- checks without a browser


def test_glossary_lists_the_key_terms_in_both_languages() -> None:
    data = yaml.safe_load((ROOT / "book" / "glossary.yml").read_text(encoding="utf-8"))
    terms = {t["en"]: t for section in data["chapters"] for t in section["terms"]}
    assert [s["number"] for s in data["chapters"]] == list(range(9)), "one section per chapter, 0-8"
    assert len(terms) >= 50
    expected = {
        "backpropagation": "誤差逆伝播法", "activation function": "活性化関数",
        "perceptron": "パーセプトロン", "gradient descent": "勾配降下法",
        "loss function": "損失関数", "convolution": "畳み込み", "pooling": "プーリング",
        "softmax function": "ソフトマックス関数", "overfitting": "過学習",
        "mini-batch": "ミニバッチ", "weight decay": "荷重減衰",
        "batch normalisation": "バッチ正規化", "dropout": "ドロップアウト", "learning rate": "学習率",
    }
    for en, ja in expected.items():
        assert terms[en]["ja"] == ja, f"{en}: expected {ja}, found {terms[en]['ja']}"
    for en, term in terms.items():
        assert term["ja"].strip() and term["means"].strip(), f"{en} lacks its Japanese term or meaning"


# --------------------------------------------------------------------------- build and browser


@pytest.fixture(scope="module")
def built() -> None:
    if shutil.which("npm") is None:
        pytest.skip("npm is missing: the build vendors MathJax, reveal.js etc. with `npm ci`")
    subprocess.run(
        [sys.executable, str(ROOT / "book" / "build.py"), "book", "slides", "--chapters", str(CHAPTERS)],
        cwd=ROOT, check=True,
    )


def test_built_html_references_nothing_outside(built) -> None:
    pages = list(HTML.rglob("*.html")) + list(SLIDES.glob("*.html"))
    assert (HTML / "intro.html").exists() and (HTML / "chapters" / "GLOSSARY.html").exists()
    offenders = [
        f"{page.relative_to(BUILD)}: {m.group(0)[:120]}"
        for page in pages
        for m in EXTERNAL_TAG.finditer(page.read_text(encoding="utf-8", errors="replace"))
    ]
    for css in list(HTML.rglob("*.css")) + list(SLIDES.glob("vendor/reveal.js/dist/**/*.css")):
        text = re.sub(r"/\*.*?\*/", "", css.read_text(encoding="utf-8", errors="replace"), flags=re.S)
        offenders += [f"{css.relative_to(BUILD)}: {m.group(0)}" for m in EXTERNAL_CSS.finditer(text)]
    assert not offenders, "built pages would fetch from outside:\n" + "\n".join(offenders[:20])


@pytest.fixture(scope="module")
def server(built):
    """Serve book/_build (the site in html/, the decks in slides/) on 127.0.0.1."""
    with serve(BUILD) as url:
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing (apt-get install chromium chromium-driver)")
    pytest.importorskip("playwright.sync_api", reason="Playwright is missing (pip install playwright)")
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as context:
        yield context


def check_page(page, shot: str, math: str | None) -> None:
    """Maths typeset, images loaded, nothing fetched from outside, no script errors."""
    if math:
        page.wait_for_selector(math, state="attached", timeout=30_000)
    page.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')")
    page.wait_for_function("Array.from(document.images).every(i => i.complete)", timeout=30_000)
    broken = page.evaluate(
        "Array.from(document.images).filter(i => !(i.naturalWidth > 0)).map(i => i.src.slice(0, 100))")
    assert not broken, f"{page.url}: images that did not load: {broken}"
    assert "$$" not in page.inner_text("body"), f"{page.url}: raw $$ left in the text (maths not typeset)"
    # data: and blob: URLs are the page's own inline content, not requests to anywhere.
    outside = [u for u in page.requests
               if not u.startswith(("file://", "http://127.0.0.1", "data:", "blob:"))]
    assert not outside, f"{page.url}: requests to outside: {outside}"
    assert not page.errors, f"{page.url}: script errors: {page.errors}"
    page.screenshot(path=str(ARTIFACTS / shot))


def test_start_page_and_glossary(server, browser) -> None:
    page = load(browser, f"{server}/html/index.html")  # redirects to intro.html
    page.wait_for_url("**/intro.html")
    check_page(page, "book-start.png", math=None)
    page.screenshot(path=str(ARTIFACTS / "book-start-full.png"), full_page=True)
    text = page.inner_text("body")
    assert "make lab" in text and "make slides" in text
    for nb in CHAPTER_NOTEBOOKS:  # the navigation lists every chapter, in order
        assert page.locator(f"nav a[href*='{nb.stem}']").count() > 0, f"{nb.stem} not in the navigation"

    glossary = load(browser, f"{server}/html/chapters/GLOSSARY.html")
    check_page(glossary, "book-glossary.png", math=None)
    text = glossary.inner_text("body")
    assert "誤差逆伝播法" in text and "backpropagation" in text


def test_search_finds_a_glossary_term(server, browser) -> None:
    page = load(browser, f"{server}/html/search.html?q=softmax")
    page.wait_for_selector("#search-results li", timeout=30_000)
    check_page(page, "book-search.png", math=None)


NO_CHAPTERS = pytest.mark.skipif(not CHAPTER_NOTEBOOKS, reason=f"no chapter notebook in {CHAPTERS} yet")
CHAPTER_STEMS = [nb.stem for nb in CHAPTER_NOTEBOOKS] or ["none"]


@NO_CHAPTERS
@pytest.mark.parametrize("stem", CHAPTER_STEMS)
def test_chapter_page(server, browser, stem: str) -> None:
    page = load(browser, f"{server}/html/chapters/{stem}.html")
    check_page(page, f"book-{stem}.png", math="mjx-container")
    if "application/vnd.jupyter.widget-state+json" in page.content():
        # the saved widget state renders as a snapshot through the vendored widget manager
        page.wait_for_selector(".jupyter-widgets", timeout=30_000)
        page.locator(".jupyter-widgets").first.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / f"book-{stem}-widget.png"))
        assert not page.errors, f"{page.url}: script errors: {page.errors}"
    # the first visible formula: one in a collapsed entry of the page's contents has no size
    page.locator("mjx-container:visible").first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"book-{stem}-maths.png"))


DECK_READY = "document.querySelector('.reveal.ready') !== null"
MATHJAX2_IDLE = "MathJax.Hub.queue.pending === 0 && MathJax.Hub.queue.running === 0"
SHOW_MATHS = """() => {
  // Go to the first slide with displayed maths (else any maths). reveal.js is
  // loaded through require.js, so there is no global Reveal: go by the URL.
  const maths = document.querySelector('.MJXc-display, .MathJax_Display')
             || document.querySelector('.MathJax_CHTML, .MathJax');
  if (!maths) return null;
  const slide = maths.closest('section');
  const outer = slide.parentElement.closest('section');
  const tops = Array.from(document.querySelectorAll('.reveal .slides > section'));
  const h = tops.indexOf(outer || slide);
  const v = outer ? Array.from(outer.querySelectorAll(':scope > section')).indexOf(slide) : 0;
  location.hash = `#/${h}/${v}`;
  return [h, v];
}"""


# Every deck over http; the first one also from disk, as a lecturer would open it.
DECKS = [(stem, "http") for stem in CHAPTER_STEMS] + [(CHAPTER_STEMS[0], "file")]


@NO_CHAPTERS
@pytest.mark.parametrize(("stem", "how"), DECKS)
def test_deck(server, browser, stem: str, how: str) -> None:
    deck = f"{stem}.slides.html"
    url = f"{server}/slides/{deck}" if how == "http" else (SLIDES / deck).as_uri()
    page = load(browser, url)
    page.wait_for_function(DECK_READY, timeout=30_000)
    check_page(page, f"deck-{stem}-{how}-first.png", math=".MathJax_CHTML, .MathJax")
    assert page.evaluate(SHOW_MATHS) is not None
    # nbconvert's deck re-typesets the maths of each slide it shows: let that finish.
    page.wait_for_timeout(500)
    page.wait_for_function(MATHJAX2_IDLE, timeout=30_000)
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / f"deck-{stem}-{how}-maths.png"))
    if how == "http":
        misfits = deck_misfits(page)
        assert not misfits, f"{deck}: slides that do not fit a 1280x720 screen:\n" + "\n".join(misfits)
        page.set_viewport_size({"width": 1280, "height": 800})

    notes = page.locator("aside.notes")
    assert notes.count() > 0, "the deck has no speaker notes"
    if stem != CHAPTER_STEMS[0]:
        return
    # Speaker view: S opens a window with the current and next slide and the notes.
    page.evaluate("location.hash = '#/0/0'")
    with browser.expect_page(timeout=30_000) as opened:
        page.keyboard.press("s")
    speaker = opened.value
    speaker.set_viewport_size({"width": 1280, "height": 800})
    first_note = notes.first.text_content().strip().splitlines()[0][:40]
    assert first_note, "the first speaker note is empty"
    speaker.wait_for_function(
        "text => document.body && document.body.innerText.includes(text)", arg=first_note, timeout=30_000)
    speaker.wait_for_timeout(1000)  # the slide previews typeset their maths
    speaker.screenshot(path=str(ARTIFACTS / f"deck-{stem}-{how}-speaker-view.png"))
    speaker.close()
