"""Every widget of every chapter, driven in a real browser: each control moves, each figure redraws, fast.

nbval runs the cells but never moves a slider. Here each chapter notebook is opened
in JupyterLab (headless Chromium, Playwright), run with Run ▸ Run All Cells in quick
mode (COURSE_QUICK=1), and every widget found in the page is exercised:

- sliders: arrow keys (timed; at least 6 presses per widget, 2 per slider), then Home and End (each slider at its minimum, then at
  its maximum): the value moves, the figure changes, no error appears;
- dropdowns: every other option is selected, then the first one again;
- toggle buttons, radio buttons, check boxes: each choice is clicked; buttons: clicked once.

After each action the figure (the <img>/<canvas> inside the widget) must differ in
content, and no traceback may appear: not in an output, not as a kernel error
message (callbacks of an ipywidgets.Image widget print nowhere else), not as an
uncaught page error. The median latency from key press to new decoded figure must
stay within WIDGET_LATENCY_BUDGET_MS (default 150 ms) for each widget.

Screenshots of each widget (default, all sliders at minimum, all at maximum) go to
test-artifacts/widgets/. Run just these: `COURSE_QUICK=1 .venv/bin/python -m pytest -m browser tests/browser`.
Environment: WIDGET_NOTEBOOKS=01,03 limits the chapters; WIDGET_RUN_TIMEOUT_S (default 900) bounds Run All.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import time
from pathlib import Path

import pytest

from labdriver import ControlRecord, NotebookRun, WidgetRecord, latency_budget_ms

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = ROOT / "chapters"
SHOTS = ROOT / "test-artifacts" / "widgets"
TIMED_PRESSES = 6      # timed arrow-key presses per widget at least (and 2 per slider)
MAX_OPTIONS = 12       # dropdown options tried per dropdown


def _chapters() -> list[Path]:
    paths = sorted(CHAPTERS.glob("[0-9][0-9]_*.ipynb"))
    only = [s.strip() for s in os.environ.get("WIDGET_NOTEBOOKS", "").split(",") if s.strip()]
    return [p for p in paths if not only or any(p.name.startswith(o) for o in only)]


CHAPTER_NOTEBOOKS = _chapters()
pytestmark = [pytest.mark.browser, pytest.mark.network]


def _committed_widget_outputs(path: Path) -> int:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return sum("application/vnd.jupyter.widget-view+json" in out.get("data", {})
               for cell in nb["cells"] if cell["cell_type"] == "code" for out in cell.get("outputs", []))


def _widget_name(source: str) -> str:
    lines = [ln.strip() for ln in source.splitlines()
             if ln.strip() and not ln.strip().startswith(("#", "%", "import ", "from "))]
    name = (lines[-1] if lines else "widget").removeprefix("_ = ")
    return name if len(name) <= 80 else name[:79] + "…"


class Exerciser:
    """Moves every control of one widget and records what happened."""

    def __init__(self, run: NotebookRun, wid: str, record: WidgetRecord, stem: str) -> None:
        self.run, self.wid, self.record, self.stem = run, wid, record, stem
        self.problems: list[str] = []

    def fail(self, text: str) -> None:
        self.problems.append(f"{self.record.name}: {text}")

    def check_errors(self, after: str) -> bool:
        errors = self.run.errors()
        if errors:
            self.fail(f"error after {after}:\n  " + "\n  ".join(errors))
            return False
        return True

    def check_figure(self, after: str) -> None:
        info = self.run.figure_info(self.wid)
        if info and not all(f["w"] > 0 and f["h"] > 0 for f in info):
            self.fail(f"figure empty or not loaded after {after}: {info}")

    def shot(self, tag: str) -> None:
        path = SHOTS / f"{self.stem}_{tag}.png"
        self.run.screenshot(self.wid, path)
        self.record.screenshots.append(str(path.relative_to(ROOT)))

    # -- sliders ----------------------------------------------------------------------
    def sliders(self, sliders: list[dict]) -> None:
        usable = []
        each_way = max(1, math.ceil(TIMED_PRESSES / 2 / max(len(sliders), 1)))
        for s in sliders:
            state = self.run.slider_state(s["ctl"])
            rec = ControlRecord("slider", s["label"])
            self.record.controls.append(rec)
            if state["disabled"] or state["min"] >= state["max"]:
                rec.notes.append(f"not movable (disabled or min = max = {state['min']:g})")
                continue
            usable.append((s, rec))
            up = state["max"] - state["now"] >= state["now"] - state["min"]
            for key in ["ArrowRight" if up else "ArrowLeft"] * each_way + ["ArrowLeft" if up else "ArrowRight"] * each_way:
                self.press(s, rec, key, timed=True)
            if self.problems:
                return
        for extreme, key in (("min", "Home"), ("max", "End")):
            for s, rec in usable:
                self.press(s, rec, key, timed=False, expect=extreme)
            if usable:
                self.check_figure(f"all sliders at their {extreme}imum")
                self.shot(f"2_all_sliders_{extreme}" if extreme == "min" else "3_all_sliders_max")

    def press(self, s: dict, rec: ControlRecord, key: str, timed: bool, expect: str | None = None) -> None:
        before = self.run.slider_state(s["ctl"])
        if (key in ("ArrowRight", "End") and before["now"] >= before["max"]) or \
           (key in ("ArrowLeft", "Home") and before["now"] <= before["min"]):
            if expect is None:
                return                      # stay inside the range: a press past the end does nothing
            changed, latency = False, None  # already at the extreme: nothing should change
        else:
            changed, latency = self.run.act(self.wid, lambda: self.run.press(s["ctl"], key))
            rec.actions += 1
        after = self.run.slider_state(s["ctl"])
        what = f"{key} on slider {s['label']!r} ({before['now']:g} → {after['now']:g})"
        if not self.check_errors(what):
            return
        if expect is not None:
            target = after[expect]
            if abs(after["now"] - target) > 1e-9 * max(1.0, abs(target)):
                self.fail(f"{key} left slider {s['label']!r} at {after['now']:g}, not at its {expect}imum {target:g}")
            if before["now"] == after["now"]:
                return
        elif after["now"] == before["now"]:
            self.fail(f"{key} did not move slider {s['label']!r} (value {before['now']:g})")
            return
        if changed:
            rec.changes += 1
            if timed and latency is not None:
                rec.latencies_ms.append(latency)
        else:
            self.fail(f"{what}: the figure did not change")

    # -- dropdowns, toggles, check boxes, buttons -----------------------------------
    def dropdowns(self, dropdowns: list[dict]) -> None:
        for d in dropdowns:
            rec = ControlRecord("dropdown", d["label"])
            self.record.controls.append(rec)
            loc = self.run.ctl(d["ctl"])
            start = loc.evaluate("s => s.selectedIndex")
            order = [i for i in range(min(d["n"], MAX_OPTIONS)) if i != start] + [start]
            if d["n"] < 2:
                rec.notes.append("only one option")
                continue
            for i in order:
                label = loc.evaluate("(s, i) => s.options[i].textContent", i)
                changed, latency = self.run.act(self.wid, lambda i=i: loc.select_option(index=i))
                rec.actions += 1
                if not self.check_errors(f"choosing {label!r} in {d['label']!r}"):
                    return
                self.check_figure(f"choosing {label!r} in {d['label']!r}")
                if changed:
                    rec.changes += 1
                    if latency is not None:
                        rec.latencies_ms.append(latency)
                else:
                    rec.notes.append(f"{label!r}: same figure")
            if rec.changes == 0:
                self.fail(f"no option of dropdown {d['label']!r} changed the figure")

    def toggles(self, groups: list[dict]) -> None:
        for g in groups:
            rec = ControlRecord("radio" if g.get("radio") else "toggle", g["label"])
            self.record.controls.append(rec)
            group = self.run.ctl(g["ctl"])
            items = group.locator("input" if g.get("radio") else "button")
            active = group.evaluate("""(g, radio) => [...g.querySelectorAll(radio ? 'input' : 'button')]
                .findIndex(b => radio ? b.checked : b.classList.contains('mod-active'))""", bool(g.get("radio")))
            order = [i for i in range(g["n"]) if i != active] + ([active] if active >= 0 else [])
            for i in order:
                text = items.nth(i).evaluate("b => b.textContent.trim() || b.parentElement.textContent.trim()")
                changed, latency = self.run.act(self.wid, lambda i=i: items.nth(i).click())
                rec.actions += 1
                if not self.check_errors(f"clicking {text!r} in {g['label']!r}"):
                    return
                self.check_figure(f"clicking {text!r}")
                if changed:
                    rec.changes += 1
                    if latency is not None:
                        rec.latencies_ms.append(latency)
            if g["n"] > 1 and rec.changes == 0:
                self.fail(f"no choice of {g['label']!r} changed the figure")

    def checkboxes(self, boxes: list[dict]) -> None:
        for c in boxes:
            rec = ControlRecord("checkbox", c["label"])
            self.record.controls.append(rec)
            for _ in range(2):                     # on, then back
                changed, latency = self.run.act(self.wid, lambda: self.run.ctl(c["ctl"]).click())
                rec.actions += 1
                if not self.check_errors(f"clicking {c['label']!r}"):
                    return
                if changed:
                    rec.changes += 1
                    if latency is not None:
                        rec.latencies_ms.append(latency)
            if rec.changes == 0:
                self.fail(f"ticking {c['label']!r} did not change the figure")

    def buttons(self, buttons: list[dict]) -> None:
        for b in buttons:
            rec = ControlRecord("button", b["label"])
            self.record.controls.append(rec)
            changed, latency = self.run.act(self.wid, lambda: self.run.ctl(b["ctl"]).click(), timeout_ms=30_000)
            rec.actions += 1
            rec.changes += int(changed)
            if latency is not None:
                rec.latencies_ms.append(latency)
            if not changed:
                rec.notes.append("figure unchanged (allowed for a button)")
            self.check_errors(f"clicking button {b['label']!r}")
            self.check_figure(f"clicking button {b['label']!r}")


@pytest.mark.parametrize("path", CHAPTER_NOTEBOOKS, ids=[p.stem for p in CHAPTER_NOTEBOOKS])
def test_every_widget_moves_redraws_and_is_fast(path: Path, lab, browser_context, widget_records) -> None:
    for old in SHOTS.glob(f"{path.stem}_*.png"):
        old.unlink()
    page = browser_context.new_page()
    run = NotebookRun(page, lab, path, SHOTS)
    log_start = lab.log_size()
    try:
        t0 = time.monotonic()
        run.open()
        t1 = time.monotonic()
        run.run_all(timeout_ms=float(os.environ.get("WIDGET_RUN_TIMEOUT_S", "900")) * 1000)
        print(f"{path.name}: opened in {t1 - t0:.1f} s, Run All took {time.monotonic() - t1:.1f} s")
        errors, unexecuted = run.errors(), run.unexecuted()
        assert not errors, f"{path.name} does not run cleanly in JupyterLab:\n" + "\n".join(errors)
        assert not unexecuted, f"{path.name}: cells {unexecuted} never ran (Run All stopped early?)"

        widgets = run.find_widgets()
        committed = _committed_widget_outputs(path)
        assert len(widgets) >= committed, (
            f"{path.name}: the committed notebook shows {committed} widget(s), the browser rendered {len(widgets)}")
        problems: list[str] = []
        records: list[WidgetRecord] = []
        for w in widgets:
            record = WidgetRecord(path.stem, _widget_name(w["source"]), w["cell"], load_1min=os.getloadavg()[0])
            records.append(record)
            t_widget = time.monotonic()
            widget_records.append(record)
            ex = Exerciser(run, w["id"], record, f"{path.stem}_cell{w['cell']:02d}")
            sig = json.loads(run.signature(w["id"]))
            if not sig["figures"] and not sig["text"].strip():
                ex.fail("shows no figure (<img>/<canvas>) and no output text")
            controls = run.controls(w["id"])
            if any(controls[k] for k in ("slider", "dropdown", "toggle", "checkbox", "button")):
                ex.shot("1_default")
            ex.sliders(controls["slider"])
            if not ex.problems:
                ex.dropdowns(controls["dropdown"])
                ex.toggles(controls["toggle"])
                ex.checkboxes(controls["checkbox"])
                ex.buttons(controls["button"])
            for other in controls["other"]:
                record.controls.append(ControlRecord("other", other["label"], notes=[f"not exercised ({other['cls']})"]))
            if not any(controls[k] for k in ("slider", "dropdown", "toggle", "checkbox", "button")):
                record.display_only = True
                record.name = "progress bar" if w["progress"] else "display-only widget"
            problems += ex.problems
            print(f"  {record.name}: exercised in {time.monotonic() - t_widget:.1f} s")
        problems += [f"page error: {e}" for e in run.page_errors]
        assert not problems, f"{path.name}:\n" + "\n".join(problems) + _server_log_hint(lab, log_start)

        budget = latency_budget_ms()
        slow = [f"{r.name} (cell {r.cell}): median {r.median_ms:.0f} ms over {len(r.key_latencies or r.all_latencies)} "
                f"changes > {budget:g} ms (load average {r.load_1min:.1f}); per control: "
                + ", ".join(f"{c.label} {statistics.median(c.latencies_ms):.0f} ms" for c in r.controls if c.latencies_ms)
                for r in records if r.median_ms is not None and r.median_ms > budget]
        assert not slow, f"{path.name}: widget(s) slower than WIDGET_LATENCY_BUDGET_MS:\n" + "\n".join(slow)
    finally:
        run.shutdown_kernel()
        page.close()
        saved = [ln for ln in lab.log_since(log_start).splitlines() if "Saving file at" in ln]
        assert not saved, f"JupyterLab saved a file during the test (autosave must stay off): {saved}"


def _server_log_hint(lab, start: int) -> str:
    text = lab.log_since(start)
    if "Traceback" not in text:
        return ""
    return "\n--- JupyterLab server log (kernel stderr) ---\n" + text[-3000:]
