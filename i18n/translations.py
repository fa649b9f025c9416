#!/usr/bin/env python3
"""The Japanese edition, generated from the English notebooks and gettext catalogues.

    python i18n/translations.py update [NOTEBOOK ...]   # `make translations`
    python i18n/translations.py check                   # what tests/test_translations.py asserts

One source: the English notebook. For each translated notebook, i18n/ja/<its path>.po
holds one unit per markdown cell: msgctxt = the cell id, msgid = the English text,
msgstr = the Japanese. (A speaker-notes cell's unit is the text inside its
"Notes for the lecturer" box; the generator puts the Japanese box around it.)
chapters/ja/… is generated from both and never edited: code cells and their
outputs are copied, and what `common` printed in English is translated line by
line through common's catalogue (src/common/locale/ja/LC_MESSAGES/common.po), the
one a Japanese kernel uses at run time, so no Japanese notebook is executed twice.

`update` brings every catalogue in line with its English source (a new cell gets an
empty unit, a changed cell's unit is marked fuzzy with the old English kept as a
hint, a removed cell's unit is dropped), collects the `_()`/`N_()` messages of
src/common into common.po, compiles common.mo and regenerates chapters/ja/.
Naming English notebooks adds them to the Japanese edition. See CONTRIBUTING.md,
"Translations".
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import string
import sys
from copy import deepcopy
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
LANG = "ja"
CATALOGUES = ROOT / "i18n" / LANG  # i18n/ja/chapters/00_prelude.po, …/solutions/…
EDITION = CHAPTERS / LANG  # chapters/ja/00_prelude.ipynb, chapters/ja/solutions/…
COMMON = ROOT / "src" / "common"
MESSAGES_PO = COMMON / "locale" / LANG / "LC_MESSAGES" / "common.po"
MESSAGES_MO = MESSAGES_PO.with_suffix(".mo")

NOTES_BOX = re.compile(
    r'\A<details class="lecturer-notes"><summary><b>Notes for the lecturer</b></summary>\n\n'
    r"(?P<text>.*?)\n\n</details>\s*\Z", re.DOTALL)
NOTES_LABEL = "講師用メモ"
HEADER = {
    "Project-Id-Version": "dl-from-scratch-course",
    "Language": LANG,
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=1; plural=0;",
}
WORD = re.compile(r"[^\W\d_]")  # a letter, in any script
MESSAGE_PLACEHOLDERS = frozenset({"where", "what", "hint", "clash", "verdict", "err", "label", "circuit"})
"""Placeholder names that hold a translated message in `common`'s code (``{hint}``); every
other placeholder holds data. Keep to these names when a message nests another one."""
NUMBER_PLACEHOLDERS = frozenset({"n", "k", "depth", "total", "right", "wrong", "passed", "claimed"})
"""Placeholder names that only ever hold a number, so a pattern cannot stretch them over words."""
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def is_notes(cell: dict) -> bool:
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type") == "notes"


# --------------------------------------------------------------------------- paths


def catalogue_for(english: Path) -> Path:
    """i18n/ja/chapters/00_prelude.po for chapters/00_prelude.ipynb."""
    return CATALOGUES / english.relative_to(ROOT).with_suffix(".po")


def japanese_for(english: Path) -> Path:
    """chapters/ja/00_prelude.ipynb for chapters/00_prelude.ipynb."""
    return EDITION / english.relative_to(CHAPTERS)


def translated_notebooks() -> list[Path]:
    """The English notebooks that have a catalogue, i.e. are in the Japanese edition."""
    out = []
    for po in sorted(CATALOGUES.glob("chapters/**/*.po")):
        english = ROOT / po.relative_to(CATALOGUES).with_suffix(".ipynb")
        out.append(english)
    return out


# --------------------------------------------------------------------------- units


def units(nb: dict) -> list[tuple[str, str]]:
    """(cell id, English text) for every markdown cell; a notes cell gives the text in its box."""
    out = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text = source(cell)
        if is_notes(cell):
            m = NOTES_BOX.match(text)
            if not m:
                raise ValueError(f"cell {cell['id']}: a notes cell without the lecturer-notes box")
            text = m.group("text")
        out.append((cell["id"], text))
    return out


def load_notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def new_catalogue() -> polib.POFile:
    po = polib.POFile(wrapwidth=0)
    po.metadata = dict(HEADER)
    return po


def update_catalogue(english: Path) -> tuple[polib.POFile, dict[str, int]]:
    """The catalogue of `english` brought in line with its cells, and counts of what changed."""
    path = catalogue_for(english)
    old = polib.pofile(str(path), wrapwidth=0) if path.exists() else new_catalogue()
    by_cell = {e.msgctxt: e for e in old if not e.obsolete}
    po = new_catalogue()
    counts = {"new": 0, "changed": 0, "removed": 0}
    for cell_id, text in units(load_notebook(english)):
        entry = by_cell.pop(cell_id, None)
        if entry is None:
            entry = polib.POEntry(msgctxt=cell_id, msgid=text, msgstr="")
            counts["new"] += 1
        elif entry.msgid != text:
            entry.previous_msgid = entry.msgid  # `#| msgid`: what the kept translation translated
            entry.msgid = text
            if "fuzzy" not in entry.flags:
                entry.flags.append("fuzzy")
            counts["changed"] += 1
        po.append(entry)
    counts["removed"] = len(by_cell)
    return po, counts


# --------------------------------------------------------------------------- common's messages


def extract_messages() -> dict[str, list[str]]:
    """Every literal passed to `_()` or `N_()` under src/common, with where it occurs."""
    found: dict[str, list[str]] = {}
    for path in sorted(COMMON.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in {"_", "N_"} and len(node.args) == 1
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found.setdefault(node.args[0].value, []).append((rel(path), node.lineno))
    ordered = sorted(found.items(), key=lambda item: min(item[1]))  # file by file, top to bottom
    return {msgid: [f"{p}:{n}" for p, n in sorted(places)] for msgid, places in ordered}


def update_messages() -> tuple[polib.POFile, dict[str, int]]:
    """common.po with every extracted message; messages no longer in the code become obsolete."""
    old = polib.pofile(str(MESSAGES_PO), wrapwidth=0) if MESSAGES_PO.exists() else new_catalogue()
    known = {e.msgid: e for e in old if not e.obsolete}
    po = new_catalogue()
    counts = {"new": 0, "changed": 0, "removed": 0}
    for msgid, places in extract_messages().items():
        entry = known.pop(msgid, None)
        if entry is None:
            entry = polib.POEntry(msgid=msgid, msgstr="")
            counts["new"] += 1
        entry.occurrences = [tuple(p.rsplit(":", 1)) for p in places]
        po.append(entry)
    for entry in known.values():  # kept as `#~` lines: a hint when the English was reworded
        entry.obsolete = True
        po.append(entry)
        counts["removed"] += 1
    return po, counts


def compiled(po: polib.POFile) -> bytes:
    """The .mo bytes of `po` (translated, non-fuzzy entries only)."""
    return polib.POFile.to_binary(po)


def field_names(message: str) -> list[str]:
    return [f for _, f, _, _ in string.Formatter().parse(message) if f is not None]


class Messages:
    """Translates text that `common` printed in English, through common.po.

    A message with placeholders becomes a pattern. What fills a placeholder named in
    MESSAGE_PLACEHOLDERS is itself a message (a hint inside a verdict line) and is
    translated too; any other placeholder holds data (numbers, shapes, code) and is
    copied. A line can match several patterns, so every one is tried and the reading
    that explains the most of the line by the catalogue's own words wins.
    """

    def __init__(self, po: polib.POFile):
        done = [e for e in po if e.translated() and not e.obsolete]
        self.exact = {e.msgid: e.msgstr for e in done if not field_names(e.msgid)}
        # Each pattern twice: placeholders matching as little and as much as they can.
        self.patterns = [(self._pattern(e.msgid, lazy), len(re.sub(r"\{[^}]*\}", "", e.msgid)), e.msgstr,
                          self._generic(e.msgid))
                         for e in done if field_names(e.msgid) for lazy in (True, False)]
        self._memo: dict[tuple[str, int, bool], tuple[str, int] | None] = {}

    @staticmethod
    def _generic(msgid: str) -> bool:
        """True for a message with no words of its own ("{label}: {err}"): it would match any
        "word: text" line, so it reads only self-check lines (those marked ✓ or ✗)."""
        return not WORD.search(re.sub(r"\{[^}]*\}", "", msgid))

    @staticmethod
    def _pattern(msgid: str, lazy: bool = True) -> re.Pattern:
        parts, seen = [], set()
        for literal, name, _, _ in string.Formatter().parse(msgid):
            parts.append(re.escape(literal))
            if name is None:
                continue
            if not name.isidentifier():
                raise ValueError(f"{msgid!r}: placeholders must be named, e.g. {{where}}")
            what = r"[-+]?\d[\d.,]*" if name in NUMBER_PLACEHOLDERS else ".+"
            parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>{what}{'?' if lazy else ''})")
            seen.add(name)
        return re.compile("".join(parts), re.DOTALL)

    def _best(self, text: str, depth: int, marked: bool) -> tuple[str, int] | None:
        """(translation, characters explained by the catalogue) of the best reading, or None."""
        if text in self.exact:
            return self.exact[text], len(text)
        if depth > 3:
            return None
        key = (text, depth, marked)
        if key not in self._memo:
            best = None
            for pattern, literal, msgstr, generic in self.patterns:
                if generic and not marked:
                    continue
                m = pattern.fullmatch(text)
                if not m:
                    continue
                values = self._fill(m.groupdict(), depth, marked)
                if values is None:
                    continue
                score = literal + sum(explained for _, explained in values.values())
                # on a tie, the message that says more in its own words: the one the code printed
                # ("{where}: your function raised {error}", not "{where} raised {error}" around a
                # "{label}: {text}" that happens to explain as much)
                if best is None or (score, literal) > best[1:]:
                    best = ("".join(lit + (values[n][0] if n is not None else "")
                                    for lit, n, _, _ in string.Formatter().parse(msgstr)), score, literal)
            self._memo[key] = best[:2] if best else None
        return self._memo[key]

    def _fill(self, groups: dict[str, str], depth: int, marked: bool) -> dict[str, tuple[str, int]] | None:
        """Each placeholder's (text, characters explained): a nested message translated, data copied.

        None when, outside a self-check line, a message placeholder holds words the catalogue
        does not know: such a line is data that merely looks like the message ("training: 8 epochs")."""
        values = {}
        for name, value in groups.items():
            inner = self._best(value, depth + 1, marked) if name in MESSAGE_PLACEHOLDERS else None
            if inner is None and name in MESSAGE_PLACEHOLDERS and not marked and WORD.search(value):
                return None
            values[name] = inner or (value, 0)
        return values

    def text(self, text: str, marked: bool = False) -> str | None:
        """The translation of one message; `marked`: it was printed after ✓ or ✗."""
        best = self._best(text, 0, marked)
        return best[0] if best else None

    LINE = re.compile(r"\A(?P<lead>(?:[✓✗]\s+)?)(?P<body>.*?)(?P<tail>\s*)\Z", re.DOTALL)
    PROGRESS = re.compile(r"\A(?P<desc>[^:\n]+)(?P<bar>:\s+\d+%\|.*)\Z", re.DOTALL)
    """A progress bar (tqdm): its description is a message, the rest is data."""

    def line(self, line: str) -> str:
        """One printed line: a leading ✓/✗ mark and trailing space are kept around the message."""
        bar = self.PROGRESS.match(line)
        if bar and bar.group("desc") in self.exact:
            return self.exact[bar.group("desc")] + bar.group("bar")
        m = self.LINE.match(line)
        body = m.group("body")
        if not body:
            return line
        marked = bool(m.group("lead"))
        tail = m.group("tail")
        spaces = tail.rstrip("\n")
        if spaces and not spaces.strip(" "):  # spaces at the end may end a placeholder's value
            whole = self.text(body + spaces, marked)  # ("NotImplementedError: ", an empty message)
            if whole is not None:
                return m.group("lead") + whole + tail[len(spaces):]
        found = self.text(body, marked)
        if found is None and marked:
            found = self.text(m.group("lead") + body, marked)
            return line if found is None else found + m.group("tail")
        return line if found is None else m.group("lead") + found + m.group("tail")

    def output(self, text: str) -> str:
        return "".join(self.line(l) for l in text.splitlines(keepends=True))


# --------------------------------------------------------------------------- generation


def _set_text(container: dict, key: str, messages: Messages) -> None:
    value = container[key]
    joined = "".join(value) if isinstance(value, list) else value
    translated = messages.output(joined)
    container[key] = translated.splitlines(keepends=True) if isinstance(value, list) else translated


def _merge_streams(outputs: list[dict]) -> list[dict]:
    """Join consecutive stream outputs of one stream (a kernel may split a line between them),
    so that every printed line is translated whole. Shown the same either way."""
    merged: list[dict] = []
    for out in outputs:
        prev = merged[-1] if merged else None
        if (out.get("output_type") == "stream" and prev is not None and prev.get("output_type") == "stream"
                and prev.get("name") == out.get("name")):
            text = "".join(prev["text"]) + "".join(out["text"])
            prev["text"] = text.splitlines(keepends=True) if isinstance(prev["text"], list) else text
        else:
            merged.append(out)
    return merged


def generate(english: Path, po: polib.POFile, messages: Messages) -> dict:
    """The Japanese notebook: translated markdown, the English code cells and translated outputs.

    An empty or fuzzy unit leaves the English text in place (the sync test fails on it).
    """
    nb = deepcopy(load_notebook(english))
    by_cell = {e.msgctxt: e for e in po if not e.obsolete}
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            entry = by_cell.get(cell["id"])
            if entry is None or not entry.msgstr or "fuzzy" in entry.flags:
                continue
            text = entry.msgstr
            if is_notes(cell):
                text = (f'<details class="lecturer-notes"><summary><b>{NOTES_LABEL}</b></summary>\n\n'
                        f"{text}\n\n</details>")
            cell["source"] = text.splitlines(keepends=True)
        elif cell["cell_type"] == "code":
            cell["outputs"] = _merge_streams(cell.get("outputs", []))
            for out in cell["outputs"]:
                if out.get("output_type") == "stream":
                    _set_text(out, "text", messages)
                elif "text/plain" in out.get("data", {}):
                    _set_text(out["data"], "text/plain", messages)
    state = nb.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for model in state.values():
        fields = model.get("state", {})
        for key in ("description", "value"):
            if isinstance(fields.get(key), str):
                fields[key] = messages.text(fields[key]) or fields[key]
    nb["metadata"]["course_edition"] = {
        "language": LANG, "generated_from": rel(english),
        "by": "i18n/translations.py (make translations); edit the English notebook and the .po file, not this one"}
    return nb


def dumps(nb: dict) -> str:
    """The notebook as nbformat writes it (so an unchanged notebook is byte-identical)."""
    return json.dumps(nb, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def save_catalogue(po: polib.POFile, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = str(po)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def write_glossary_pages() -> None:
    """chapters/GLOSSARY.md and chapters/ja/GLOSSARY.md (chapter titles come from the notebooks)."""
    import subprocess

    subprocess.run([sys.executable, str(ROOT / "book" / "build.py"), "glossary"], check=True)


def update(add: list[Path]) -> None:
    messages_po, counts = update_messages()
    save_catalogue(messages_po, MESSAGES_PO)
    MESSAGES_MO.write_bytes(compiled(messages_po))
    print(f"{rel(MESSAGES_PO)}: {len(messages_po.untranslated_entries())} untranslated, "
          f"{counts['new']} new, {counts['removed']} obsolete")
    messages = Messages(messages_po)
    wanted = {p.resolve() for p in translated_notebooks()} | {p.resolve() for p in add}
    for english in sorted(wanted):
        if not english.exists():
            sys.exit(f"{rel(english)} does not exist (its catalogue is {rel(catalogue_for(english))})")
        po, counts = update_catalogue(english)
        save_catalogue(po, catalogue_for(english))
        target = japanese_for(english)
        target.parent.mkdir(parents=True, exist_ok=True)
        text = dumps(generate(english, po, messages))
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
        todo = len([e for e in po if not e.msgstr or "fuzzy" in e.flags])
        print(f"{rel(catalogue_for(english))}: {len(po)} units, {todo} to translate "
              f"({counts['new']} new, {counts['changed']} changed, {counts['removed']} removed) "
              f"-> {rel(target)}")
    write_glossary_pages()


# --------------------------------------------------------------------------- check


def check_notebook(english: Path, messages: Messages) -> list[str]:
    """What is out of step between `english`, its catalogue and its Japanese notebook."""
    name = rel(japanese_for(english).with_suffix(""))
    po_path = catalogue_for(english)
    po = polib.pofile(str(po_path), wrapwidth=0)
    where = rel(po_path)
    problems = []
    by_cell = {e.msgctxt: e for e in po if not e.obsolete}
    for cell_id, text in units(load_notebook(english)):
        entry = by_cell.pop(cell_id, None)
        if entry is None:
            problems.append(f"{name}: no unit for cell {cell_id} in {where}: run `make translations`")
        elif entry.msgid != text:
            problems.append(f"{name}: update the unit for cell {cell_id} (English changed), "
                            f"in {where} line {entry.linenum}: run `make translations`, then translate it")
        elif "fuzzy" in entry.flags:
            problems.append(f"{name}: the unit for cell {cell_id} is fuzzy (English changed), "
                            f"in {where} line {entry.linenum}: translate it and remove the fuzzy flag")
        elif not entry.msgstr.strip():
            problems.append(f"{name}: the unit for cell {cell_id} is not translated, in {where} line {entry.linenum}")
    for cell_id, entry in by_cell.items():
        problems.append(f"{name}: {where} line {entry.linenum} has a unit for cell {cell_id}, "
                        "which the English notebook no longer has: run `make translations`")
    target = japanese_for(english)
    if not target.exists():
        return problems + [f"{name}: not generated: run `make translations`"]
    japanese = load_notebook(target)
    en_cells = load_notebook(english)["cells"]
    en_code = [(c["id"], source(c)) for c in en_cells if c["cell_type"] == "code"]
    ja_code = [(c["id"], source(c)) for c in japanese["cells"] if c["cell_type"] == "code"]
    if en_code != ja_code:
        differ = [i for (i, s), (j, t) in zip(en_code, ja_code) if (i, s) != (j, t)]
        problems.append(f"{name}: code cells differ from the English ones "
                        f"({differ[:3] or 'a different number of cells'}): never edit chapters/ja by hand")
    if target.read_text(encoding="utf-8") != dumps(generate(english, po, messages)):
        problems.append(f"{name}: stale (the generator writes something else): run `make translations`")
    return problems


def check_messages() -> list[str]:
    """common.po covers every `_()` message of src/common, each translated with its placeholders,
    and common.mo is its compiled form."""
    where = rel(MESSAGES_PO)
    if not MESSAGES_PO.exists():
        return [f"{where} is missing: run `make translations`"]
    po = polib.pofile(str(MESSAGES_PO), wrapwidth=0)
    entries = {e.msgid: e for e in po if not e.obsolete}
    problems, extracted = [], extract_messages()
    for msgid, places in extracted.items():
        entry = entries.get(msgid)
        if entry is None:
            problems.append(f"{places[0]}: message {msgid!r} is not in {where}: run `make translations`")
        elif "fuzzy" in entry.flags or not entry.msgstr.strip():
            problems.append(f"{where} line {entry.linenum}: translate {msgid!r}")
        elif re.search(r"(?<!\})\}\{(?!\{)", msgid):
            problems.append(f"{places[0]}: {msgid!r} has two placeholders side by side, which the generator "
                            "cannot tell apart: put text between them or make two messages")
        elif sorted(field_names(msgid)) != sorted(field_names(entry.msgstr)):
            problems.append(f"{where} line {entry.linenum}: the translation of {msgid!r} must use the "
                            f"placeholders {sorted(set(field_names(msgid)))}, no others")
    stale = set(entries) - set(extracted)
    problems += [f"{where}: {m!r} is no longer in the code: run `make translations`" for m in sorted(stale)]
    if not MESSAGES_MO.exists() or MESSAGES_MO.read_bytes() != compiled(po):
        problems.append(f"{rel(MESSAGES_MO)} is not compiled from {where}: run `make translations`")
    return problems


def check() -> list[str]:
    problems = check_messages()
    messages = Messages(polib.pofile(str(MESSAGES_PO), wrapwidth=0)) if MESSAGES_PO.exists() else None
    if messages is None:
        return problems
    for english in translated_notebooks():
        if not english.exists():
            problems.append(f"{rel(catalogue_for(english))}: its English notebook {rel(english)} is gone")
            continue
        problems += check_notebook(english, messages)
    return problems + stray_notebooks()


def stray_notebooks() -> list[str]:
    """Notebooks in chapters/ja that no catalogue generates (a renamed or removed chapter)."""
    known = {japanese_for(e).resolve() for e in translated_notebooks()}
    return [f"{rel(p)}: no English source with a catalogue: delete it"
            for p in sorted(EDITION.rglob("*.ipynb")) if p.resolve() not in known
            and ".ipynb_checkpoints" not in p.parts]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["update", "check"])
    parser.add_argument("notebooks", nargs="*", type=Path, help="English notebooks to add to the edition")
    args = parser.parse_args(argv)
    if args.command == "update":
        update([p if p.is_absolute() else Path.cwd() / p for p in args.notebooks])
    problems = check()
    for p in problems:
        print(p)
    if args.command == "check" and problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
