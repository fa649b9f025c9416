#!/usr/bin/env python3
"""Build the course website and the slide decks from the committed notebooks.

    python book/build.py book            # Jupyter Book 1 site -> book/_build/html/
    python book/build.py slides          # reveal.js decks     -> book/_build/slides/
    python book/build.py book slides     # both
    python book/build.py glossary        # chapters/GLOSSARY.md from book/glossary.yml

Nothing is executed: the notebooks are shown with the outputs they were
committed with. Chapters are found by name (chapters/NN_name.ipynb, worked
solutions in chapters/solutions/NN_name_solutions.ipynb), so a new chapter
appears in the table of contents as soon as its notebook exists.

Browser files (MathJax, require.js, the widget manager, reveal.js, jQuery) come
from npm at the versions pinned in book/package-lock.json, installed with
`npm ci` and copied next to the pages, so nothing is loaded from a CDN.
See book/README.md.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import html
import json
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

BOOK = Path(__file__).resolve().parent
ROOT = BOOK.parent
CHAPTERS = ROOT / "chapters"
NODE_MODULES = BOOK / "node_modules"
VENDOR = BOOK / "_vendor"  # the book's browser files (Sphinx html_static_path)
BUILD = BOOK / "_build"
STAGE = BUILD / "src"  # what Jupyter Book reads: config, generated pages, copied notebooks
HTML = BUILD / "html"  # jupyter-book build STAGE --path-output BOOK writes here
SLIDES = BUILD / "slides"

CHAPTER_GLOB = "[0-9][0-9]_*.ipynb"
TABLE_MARKER = "<!-- chapter-table -->"

# (destination under the vendor folder, source under node_modules, names to leave out;
#  a name starting with "/" is left out only at the top of the source folder)
MATHJAX3_UNUSED = [
    "tex-chtml.js", "tex-chtml-full.js", "tex-chtml-full-speech.js", "tex-svg.js",
    "tex-svg-full.js", "tex-mml-svg.js", "mml-chtml.js", "mml-svg.js", "node-main.js",
    "core.js", "loader.js", "startup.js", "latest.js", "*.map",
]
BOOK_VENDOR = [
    ("mathjax", "mathjax/es5", MATHJAX3_UNUSED),
    ("mathjax/LICENSE", "mathjax/LICENSE", []),
    ("require.js", "requirejs/require.js", []),
    ("html-manager", "@jupyter-widgets/html-manager/dist", ["*.map", "embed.js"]),
]
SLIDES_VENDOR = [
    # Only the white theme: the others import web fonts from a CDN.
    ("reveal.js/dist", "reveal.js/dist", ["*.map", "*.esm.js", "theme"]),
    ("reveal.js/dist/theme/white.css", "reveal.js/dist/theme/white.css", []),
    ("reveal.js/dist/theme/fonts/source-sans-pro", "reveal.js/dist/theme/fonts/source-sans-pro", []),
    ("reveal.js/plugin", "reveal.js/plugin", ["*.map", "*.esm.js"]),
    ("reveal.js/LICENSE", "reveal.js/LICENSE", []),
    # MathJax 2: nbconvert's slide template speaks its API. CommonHTML output needs
    # only the TeX web fonts; the image fonts and unpacked sources are left out.
    ("mathjax2", "mathjax2", ["/unpacked", "/test", "/fonts", "/*.md", "/latest.js"]),
    ("mathjax2/fonts/HTML-CSS/TeX", "mathjax2/fonts/HTML-CSS/TeX", ["png"]),
    ("require.js", "requirejs/require.js", []),
    ("jquery.min.js", "jquery/dist/jquery.min.js", []),
    ("html-manager", "@jupyter-widgets/html-manager/dist", ["*.map", "embed.js"]),
]


def run(cmd: list[str], cwd: Path = ROOT) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], cwd=cwd, check=True)


def venv_tool(name: str) -> str:
    """A console script installed next to this Python (the course's .venv), else from PATH."""
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if not found:
        sys.exit(f"{name} not found: run `make install` (it comes with the dev extra).")
    return found


# --------------------------------------------------------------------------- npm


def npm_ci() -> None:
    """Install book/node_modules exactly as package-lock.json says, unless already done."""
    marker = NODE_MODULES / ".package-lock.json"  # written by npm at the end of an install
    sources = [BOOK / "package.json", BOOK / "package-lock.json"]
    if marker.exists() and all(marker.stat().st_mtime >= s.stat().st_mtime for s in sources):
        return
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm not found: install Node.js (Debian: apt-get install nodejs npm).")
    run([npm, "ci", "--no-audit", "--no-fund"], cwd=BOOK)


def _ignore(top: Path, patterns: list[str]):
    """A copytree filter: "*.map" matches at any depth, "/fonts" only directly under `top`."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        out = set()
        for pattern in patterns:
            if pattern.startswith("/"):
                if Path(folder) == top:
                    out |= set(fnmatch.filter(names, pattern[1:]))
            else:
                out |= set(fnmatch.filter(names, pattern))
        return out

    return ignore


def vendor(manifest: list[tuple[str, str, list[str]]], dest: Path) -> None:
    """Copy the files named in `manifest` from node_modules to `dest` (skipped when current)."""
    npm_ci()
    key = hashlib.sha256(
        (BOOK / "package-lock.json").read_bytes() + json.dumps(manifest).encode()
    ).hexdigest()
    stamp = dest / ".vendored"
    if stamp.exists() and stamp.read_text() == key:
        return
    if dest.exists():
        shutil.rmtree(dest)
    for target, source, leave_out in manifest:
        src, dst = NODE_MODULES / source, dest / target
        if not src.exists():
            sys.exit(f"{src} is missing: is it still in book/package.json?")
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=_ignore(src, leave_out), dirs_exist_ok=True)
        else:
            shutil.copy2(src, dst)
    stamp.write_text(key)
    print(f"vendored {len(manifest)} items into {dest.relative_to(ROOT)}")


# --------------------------------------------------------------------------- chapters


@dataclass
class Chapter:
    notebook: Path
    number: int
    title: str
    exercises_anchor: str | None
    solutions: Path | None

    @property
    def stem(self) -> str:
        return self.notebook.stem


def _markdown_sources(notebook: Path) -> list[str]:
    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in cells if c.get("cell_type") == "markdown"]


def _plain(heading: str) -> str:
    """Heading text without Markdown emphasis, code marks or links."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    return re.sub(r"[*_`]", "", text).strip()


def _section_id(heading: str) -> str:
    """The id Sphinx gives the section this heading starts (docutils' make_id)."""
    from docutils.nodes import make_id

    return make_id(_plain(heading))


def find_chapters(chapters_dir: Path) -> list[Chapter]:
    """Chapter notebooks in course order (their file names start with the chapter number)."""
    found = []
    for nb in sorted(chapters_dir.glob(CHAPTER_GLOB)):
        title, exercises = None, None
        for source in _markdown_sources(nb):
            for line in source.splitlines():
                m = re.match(r"^(#{1,3})\s+(.+?)\s*#*\s*$", line)
                if not m:
                    continue
                if title is None and m.group(1) == "#":
                    title = _plain(m.group(2))
                if exercises is None and re.search(r"exercise", m.group(2), re.I):
                    exercises = _section_id(m.group(2))
        solutions = chapters_dir / "solutions" / f"{nb.stem}_solutions.ipynb"
        found.append(Chapter(
            notebook=nb,
            number=int(nb.name[:2]),
            title=title or nb.stem[3:].replace("_", " ").capitalize(),
            exercises_anchor=exercises,
            solutions=solutions if solutions.exists() else None,
        ))
    return found


# --------------------------------------------------------------------------- book


def write_if_changed(path: Path, text: str) -> None:
    """Leave unchanged files alone so that Sphinx rebuilds only what changed."""
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def toc_yaml(chapters: list[Chapter]) -> str:
    parts = []
    if chapters:
        parts.append({"caption": "Chapters",
                      "chapters": [{"file": f"chapters/{c.stem}"} for c in chapters]})
    solved = [c for c in chapters if c.solutions]
    if solved:
        parts.append({"caption": "Worked solutions",
                      "chapters": [{"file": f"chapters/solutions/{c.solutions.stem}"} for c in solved]})
    parts.append({"caption": "Reference",
                  "chapters": [{"file": f"chapters/{Path(GLOSSARY_NAME).stem}"}, {"file": "differences"},
                               {"file": "lecturers"}]})
    toc = {"format": "jb-book", "root": "intro", "parts": parts}
    header = "# Generated by book/build.py from the notebooks in chapters/. Do not edit.\n"
    return header + yaml.safe_dump(toc, sort_keys=False, allow_unicode=True)


def chapter_table(chapters: list[Chapter]) -> str:
    if not chapters:
        return "*The chapters are still being written; each appears here once its notebook is committed.*\n"
    rows = ["| | Chapter | Exercises | Worked solutions |", "|---:|---|---|---|"]
    for c in chapters:
        page = f"chapters/{c.notebook.name}"
        # Raw HTML: MyST cannot resolve a heading anchor inside a notebook from here.
        anchor = f"chapters/{c.stem}.html#{c.exercises_anchor}"
        exercises = f'<a href="{anchor}">exercises</a>' if c.exercises_anchor else ""
        solutions = f"[solutions](chapters/solutions/{c.solutions.name})" if c.solutions else ""
        title = re.sub(r"^Chapter\s+\d+\s*[·:.\-–]\s*", "", c.title).replace("|", "\\|")
        rows.append(f"| {c.number} | [{title}]({page}) | {exercises} | {solutions} |")
    return "\n".join(rows) + "\n"


GLOSSARY_NAME = "GLOSSARY.md"
"""The glossary page, beside the chapters so that a notebook links to it as `GLOSSARY.md`."""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def glossary_page(chapters: list[Chapter]) -> str:
    """chapters/GLOSSARY.md from book/glossary.yml: plain Markdown, so it reads the same in
    JupyterLab (which opens it from a chapter's link) and in the book (where it is the
    glossary page). Committed; tests/test_glossary.py keeps it in sync with the YAML.
    """
    data = yaml.safe_load((BOOK / "glossary.yml").read_text(encoding="utf-8"))
    pages = {c.number: c.notebook.name for c in chapters}
    count = sum(len(section["terms"]) for section in data["chapters"])
    out = [
        "# Glossary / 用語集",
        "",
        "<!-- Generated from book/glossary.yml by `python book/build.py glossary`. Do not edit. -->",
        "",
        f"The {count} key terms of the course, chapter by chapter, each with the usual",
        "Japanese term, its reading, other Japanese names in use, and a one-line meaning.",
        "Every term a chapter sets in **bold** is here. Japanese textbooks and lecture notes",
        "on deep learning use these words, so the list is also a bridge between this course",
        "and them.",
        "",
    ]
    for section in data["chapters"]:
        number, title = section["number"], section["title"]
        if not section["terms"]:
            continue  # a chapter whose terms are not in yet
        out += [f"## {number} · {title}", ""]
        if number in pages:
            out += [f"Introduced in [chapter {number}, {title}]({pages[number]}).", ""]
        out += ["| English | 日本語 | meaning |", "|---|---|---|"]
        for term in section["terms"]:
            ja = f"**{term['ja']}**"
            if term.get("reading"):
                ja += f"（{term['reading']}）"
            if term.get("also"):
                ja += "; also " + "、".join(term["also"])
            out.append(f"| {_cell(term['en'])} | {_cell(ja)} | {_cell(term['means'])} |")
        out.append("")
    return "\n".join(out)


def write_glossary(chapters_dir: Path, dest: Path | None = None) -> Path:
    """Write the glossary page (by default chapters_dir/GLOSSARY.md) if its text changed."""
    dest = chapters_dir / GLOSSARY_NAME if dest is None else dest
    write_if_changed(dest, glossary_page(find_chapters(chapters_dir)))
    return dest


# A speaker-notes cell (slide type "notes") is written in the notebook as a collapsed HTML
# box, so that JupyterLab shows learners a closed "Notes for the lecturer" line rather than
# text addressed to someone else. tests/test_notebooks.py requires this form.
NOTES_WRAPPER = re.compile(
    r'\A<details class="lecturer-notes"><summary><b>Notes for the lecturer</b></summary>\n\n'
    r"(?P<text>.*?)\n\n</details>\s*\Z", re.DOTALL)
BOOK_NOTES_OPEN = "::::::{admonition} Notes for the lecturer\n:class: dropdown\n\n"
BOOK_NOTES_CLOSE = "\n::::::\n"


def notes_text(source: str) -> str | None:
    """The text inside a speaker-notes cell's collapsed box, or None if the cell lacks the box."""
    m = NOTES_WRAPPER.match(source)
    return m.group("text") if m else None


def _rewrite_notes(nb: dict, wrap: tuple[str, str]) -> dict:
    """Replace each notes cell's HTML box by ``wrap[0] + text + wrap[1]``.

    The book folds the notes into a dropdown admonition; the decks put the bare text in
    reveal.js's speaker view, where a closed box would hide it from the lecturer.
    """
    for cell in nb.get("cells", []):
        kind = cell.get("metadata", {}).get("slideshow", {}).get("slide_type")
        if cell.get("cell_type") == "markdown" and kind == "notes":
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            text = notes_text(source)
            if text is None:
                raise ValueError(f"a notes cell without the lecturer-notes box: {source[:80]!r}")
            cell["source"] = wrap[0] + text + wrap[1]
    return nb


def _stage_file(src: str, dst: str) -> None:
    """Copy one file into the staging folder, rewriting it only if its content changed.

    Sphinx re-renders a page when its source is newer than the last build, so an
    unchanged file keeps its old time. In notebooks, speaker-notes cells become a
    collapsed "Notes for the lecturer" dropdown (see _rewrite_notes).
    """
    data = Path(src).read_bytes()
    if src.endswith(".ipynb"):
        nb = _rewrite_notes(json.loads(data), (BOOK_NOTES_OPEN, BOOK_NOTES_CLOSE))
        data = json.dumps(nb, ensure_ascii=False, indent=1).encode("utf-8")
    target = Path(dst)
    if not target.exists() or target.read_bytes() != data:
        target.write_bytes(data)


def stage(chapters_dir: Path) -> list[Chapter]:
    """Assemble the book's source folder under book/_build/src (gitignored).

    Sphinx reads only files inside its source folder, so the notebooks are copied
    there (see _stage_file).
    """
    chapters = find_chapters(chapters_dir)
    STAGE.mkdir(parents=True, exist_ok=True)
    staged = STAGE / "chapters"
    shutil.copytree(chapters_dir, staged, copy_function=_stage_file, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc"))
    for old in [f for f in staged.rglob("*") if f.is_file()]:
        if not (chapters_dir / old.relative_to(staged)).exists():
            old.unlink()  # a notebook that was renamed or removed
    for name, target in [("_vendor", VENDOR), ("js", BOOK / "js")]:
        link = STAGE / name
        if link.is_symlink() and link.resolve() != target.resolve():
            link.unlink()  # the repository was moved
        if not link.is_symlink():
            link.symlink_to(target, target_is_directory=True)
    write_if_changed(STAGE / "_config.yml", (BOOK / "_config.yml").read_text(encoding="utf-8"))
    write_if_changed(STAGE / "_toc.yml", toc_yaml(chapters))
    intro = (BOOK / "intro.md").read_text(encoding="utf-8")
    write_if_changed(STAGE / "intro.md", intro.replace(TABLE_MARKER, chapter_table(chapters)))
    write_glossary(chapters_dir, staged / GLOSSARY_NAME)  # also when --chapters has none committed
    write_if_changed(STAGE / "differences.md", (BOOK / "differences.md").read_text(encoding="utf-8"))
    write_if_changed(STAGE / "lecturers.md", (BOOK / "lecturers.md").read_text(encoding="utf-8"))
    return chapters


THEBE_CONFIG = re.compile(r"^\s*<script>const THEBE_JS_URL = .*?</script>\n", re.MULTILINE)
WIDGETS_CDN = re.compile(r'data-jupyter-widgets-cdn="[^"]*"')


def fix_pages(site: Path) -> None:
    """Two repairs on the written pages (idempotent, so incremental builds are safe).

    - The widget manager's folder for third-party widget modules must be relative
      to each page, not to the site root.
    - sphinx-thebe 0.3 writes its inline `const THEBE_JS_URL = ...` script twice,
      which is a script error ("already been declared"); keep the first.
    """
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        depth = len(page.relative_to(site).parts) - 1
        fixed = WIDGETS_CDN.sub(f'data-jupyter-widgets-cdn="{"../" * depth}_static/widgets-cdn/"', text)
        thebe = THEBE_CONFIG.findall(fixed)
        for duplicate in thebe[1:]:
            head, _, tail = fixed.rpartition(duplicate)
            fixed = head + tail
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")


def build_book(chapters_dir: Path) -> Path:
    start = time.time()
    vendor(BOOK_VENDOR, VENDOR)
    chapters = stage(chapters_dir)
    run([venv_tool("jupyter-book"), "build", STAGE, "--path-output", BOOK])
    fix_pages(HTML)
    print(f"book: {len(chapters)} chapter(s) -> {(HTML / 'index.html').relative_to(ROOT)} "
          f"in {time.time() - start:.0f} s")
    return HTML


# --------------------------------------------------------------------------- slides


SLIDES_INDEX = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Slides: deep learning from scratch</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 42rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; color: #222; }}
li {{ margin: .3rem 0; }}
kbd {{ border: 1px solid #aaa; border-radius: 3px; padding: 0 .3em; font-size: .9em; }}
</style>
</head>
<body>
<h1>Slides</h1>
<p>One deck per chapter, made from the chapter's notebook. They need no network and no Python.</p>
<ul>
{items}
</ul>
<p>Keys: <kbd>&rarr;</kbd>/<kbd>Space</kbd> next, <kbd>S</kbd> speaker view with notes and timer,
<kbd>F</kbd> full screen, <kbd>Esc</kbd> overview. Widgets show as snapshots; to use them live,
run the notebook in JupyterLab (<code>make lab</code>).</p>
</body>
</html>
"""


def build_slides(chapters_dir: Path) -> Path:
    start = time.time()
    chapters = find_chapters(chapters_dir)
    vendor(SLIDES_VENDOR, SLIDES / "vendor")
    staged = BUILD / "slides_src"  # the notebooks with their notes unboxed for the speaker view
    staged.mkdir(parents=True, exist_ok=True)
    for c in chapters:
        nb = _rewrite_notes(json.loads(c.notebook.read_text(encoding="utf-8")), ("", ""))
        write_if_changed(staged / c.notebook.name, json.dumps(nb, ensure_ascii=False, indent=1))
    if chapters:
        run([venv_tool("jupyter-nbconvert"), "--to", "slides", "--config", BOOK / "slides_config.py",
             "--output-dir", SLIDES, *[staged / c.notebook.name for c in chapters]])
    wanted = {f"{c.stem}.slides.html" for c in chapters}
    for old in SLIDES.glob("*.slides.html"):
        if old.name not in wanted:
            old.unlink()
    items = "\n".join(
        f'<li><a href="{c.stem}.slides.html">{html.escape(c.title)}</a></li>'
        for c in chapters)
    (SLIDES / "index.html").write_text(SLIDES_INDEX.format(items=items), encoding="utf-8")
    print(f"slides: {len(chapters)} deck(s) -> {SLIDES.relative_to(ROOT)}/ in {time.time() - start:.0f} s")
    return SLIDES


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="+", choices=["glossary", "book", "slides"])
    parser.add_argument("--chapters", type=Path, default=CHAPTERS,
                        help="folder of chapter notebooks (default: chapters/)")
    args = parser.parse_args(argv)
    chapters_dir = args.chapters.resolve()
    if "glossary" in args.targets:
        print(f"glossary -> {write_glossary(chapters_dir).relative_to(ROOT)}")
    if "book" in args.targets:
        build_book(chapters_dir)
    if "slides" in args.targets:
        build_slides(chapters_dir)


if __name__ == "__main__":
    main()
