"""Every widget of every chapter, driven in a real browser: each control moves, each figure redraws, fast.

nbval runs the cells but never moves a slider. Here each chapter notebook is opened
in JupyterLab (headless Chromium, Playwright), run with Run ▸ Run All Cells in quick
mode (COURSE_QUICK=1), and every widget found in the page is exercised:

- every control is moved at least ACTIONS_PER_CONTROL (20) times, each action timed:
  sliders with the arrow keys (turning back at either end), dropdowns through every
  entry (round and round), toggle buttons through every choice, check boxes on and off;
  buttons are clicked once (they may start real work);
- each slider is sent to its extremes and beyond: Home, then Home, ← and PageDown
  again; End, then End, → and PageUp again (the value must stay at the end);
- fuzzing: a seeded random burst of moves over all the widget's controls, fired
  without waiting for the figure, like a learner dragging; then the kernel must
  settle, no error may have appeared and one more move must still redraw the figure.

After each timed action the figure (the <img>/<canvas> inside the widget) must differ
in content, and no traceback may appear: not in an output, not as a kernel error
message (callbacks of an ipywidgets.Image widget print nowhere else), not as an
uncaught page error. Per control, the median latency from action to new decoded
figure and its 95th percentile are compared with issue 24's target, 100 ms and 200 ms
(WIDGET_LATENCY_BUDGET_MS, WIDGET_P95_BUDGET_MS): the table (median, p95, n per
control, load) in test-artifacts/widget_latency.md marks each control "ok" or "over
target". The test fails above a looser ceiling, 300 ms / 500 ms (WIDGET_FAIL_MEDIAN_MS,
WIDGET_FAIL_P95_MS), because several controls miss the target today. Latencies are
judged only while the load average is at most WIDGET_MAX_LOAD (twice the CPUs).

Screenshots of each widget (default, all sliders at minimum, all at maximum, after
fuzzing) go to test-artifacts/widgets/. Run just these:
`COURSE_QUICK=1 .venv/bin/python -m pytest -m browser tests/browser`.
Environment: WIDGET_NOTEBOOKS=01,03 limits the chapters; WIDGET_RUN_TIMEOUT_S (default
900) bounds Run All; WIDGET_ACTIONS (20) and WIDGET_FUZZ_MOVES (24) set the counts.
"""

from __future__ import annotations

import json
import os
import random
import time
import zlib
from pathlib import Path

import pytest

from labdriver import ControlRecord, NotebookRun, WidgetRecord, verdict

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = ROOT / "chapters"
SHOTS = ROOT / "test-artifacts" / "widgets"
ACTIONS_PER_CONTROL = int(os.environ.get("WIDGET_ACTIONS", "20"))   # timed actions per control
FUZZ_MOVES = int(os.environ.get("WIDGET_FUZZ_MOVES", "24"))           # random moves per widget
BEYOND = {"min": ("Home", "ArrowLeft", "PageDown"), "max": ("End", "ArrowRight", "PageUp")}


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
        self.again: dict[int, tuple] = {}   # id(record) → (timed loop, its control): see remeasure()

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

    def new_control(self, kind: str, label: str) -> ControlRecord:
        rec = ControlRecord(kind, label, load_1min=os.getloadavg()[0])
        self.record.controls.append(rec)
        return rec

    @staticmethod
    def done(rec: ControlRecord) -> None:
        rec.load_1min = max(rec.load_1min, os.getloadavg()[0])

    # -- sliders ----------------------------------------------------------------------
    def sliders(self, sliders: list[dict]) -> None:
        usable = []
        for s in sliders:
            state = self.run.slider_state(s["ctl"])
            rec = self.new_control("slider", s["label"])
            if state["disabled"] or state["min"] >= state["max"]:
                rec.notes.append(f"not movable (disabled or min = max = {state['min']:g})")
                continue
            usable.append((s, rec))
            if not self.slide(s, rec, state):
                return
        for extreme, key in (("min", "Home"), ("max", "End")):
            for s, rec in usable:
                self.press(s, rec, key, timed=False, expect=extreme)
                self.beyond(s, extreme)
            if usable:
                self.check_figure(f"all sliders at their {extreme}imum")
                self.shot(f"2_all_sliders_{extreme}" if extreme == "min" else "3_all_sliders_max")

    def slide(self, s: dict, rec: ControlRecord, state: dict | None = None) -> bool:
        """The timed presses of one slider, to and fro, turning back at either end; False on a problem."""
        self.again[id(rec)] = (self.slide, s)
        state = state or self.run.slider_state(s["ctl"])
        up = state["max"] - state["now"] >= state["now"] - state["min"]
        for _ in range(ACTIONS_PER_CONTROL):
            if (up and state["now"] >= state["max"]) or (not up and state["now"] <= state["min"]):
                up = not up
            state = self.press(s, rec, "ArrowRight" if up else "ArrowLeft", timed=True, before=state)
            if self.problems:
                return False
        self.done(rec)
        return True

    def remeasure(self, first: ControlRecord) -> ControlRecord:
        """Time a control over the ceiling once more, in a record of its own, and return that record.

        One slow action sets the 95th percentile of 20; a second full round tells a widget
        that is slow from a moment when the machine was not (the test fails only if both are).
        """
        loop, control = self.again[id(first)]
        rec = self.new_control(first.kind, first.label)
        rec.notes.append("re-measured: the round above was over the failing ceiling")
        first.notes.append("over the failing ceiling: re-measured in the next row")
        loop(control, rec)
        return rec

    def beyond(self, s: dict, extreme: str) -> None:
        """Push a slider that sits at an end further out: it stays there, nothing breaks."""
        for key in BEYOND[extreme]:
            self.run.press(s["ctl"], key)
        self.run.settle()
        after = self.run.slider_state(s["ctl"])
        target = after[extreme]
        if abs(after["now"] - target) > 1e-9 * max(1.0, abs(target)):
            self.fail(f"{'/'.join(BEYOND[extreme])} past the {extreme}imum moved slider {s['label']!r} "
                      f"to {after['now']:g}")
        self.check_errors(f"pushing slider {s['label']!r} past its {extreme}imum")

    def press(self, s: dict, rec: ControlRecord, key: str, timed: bool, expect: str | None = None,
              before: dict | None = None) -> dict:
        """Press `key` on slider `s` (whose state is `before`, if known); return its state after."""
        before = before or self.run.slider_state(s["ctl"])
        after = None
        if (key in ("ArrowRight", "End") and before["now"] >= before["max"]) or \
           (key in ("ArrowLeft", "Home") and before["now"] <= before["min"]):
            if expect is None:
                return before               # stay inside the range: a press past the end does nothing
            changed, latency = False, None  # already at the extreme: nothing should change
        else:
            changed, latency = self.run.act(self.wid, lambda: self.run.press(s["ctl"], key), slider=s["ctl"])
            rec.actions += 1
            after = self.run.last_slider_state      # read in the same call as the settled figure
        after = after or self.run.slider_state(s["ctl"])
        what = f"{key} on slider {s['label']!r} ({before['now']:g} → {after['now']:g})"
        if not self.check_errors(what):
            return after
        if expect is not None:
            target = after[expect]
            if abs(after["now"] - target) > 1e-9 * max(1.0, abs(target)):
                self.fail(f"{key} left slider {s['label']!r} at {after['now']:g}, not at its {expect}imum {target:g}")
            if before["now"] == after["now"]:
                return after
        elif after["now"] == before["now"]:
            self.fail(f"{key} did not move slider {s['label']!r} (value {before['now']:g})")
            return after
        if changed:
            rec.changes += 1
            if timed and latency is not None:
                rec.latencies_ms.append(latency)
        else:
            self.fail(f"{what}: the figure did not change")
        return after

    # -- dropdowns, toggles, check boxes: every entry, round and round ---------------
    def timed(self, rec: ControlRecord, action, what: str) -> bool:
        changed, latency = self.run.act(self.wid, action)
        rec.actions += 1
        if not self.check_errors(what):
            return False
        self.check_figure(what)
        if changed:
            rec.changes += 1
            if latency is not None:
                rec.latencies_ms.append(latency)
        return True

    def dropdowns(self, dropdowns: list[dict]) -> None:
        for d in dropdowns:
            rec = self.new_control("dropdown", d["label"])
            if d["n"] < 2:
                rec.notes.append("only one option")
                continue
            if not self.choose(d, rec):
                return

    def choose(self, d: dict, rec: ControlRecord) -> bool:
        """Every entry of a dropdown, round and round back to the start, timed; False on a problem."""
        self.again[id(rec)] = (self.choose, d)
        loc = self.run.ctl(d["ctl"])
        start = loc.evaluate("s => s.selectedIndex")
        labels = loc.evaluate("s => [...s.options].map(o => o.textContent)")
        cycle = [(start + k) % d["n"] for k in range(1, d["n"] + 1)]
        rounds = max(1, -(-ACTIONS_PER_CONTROL // len(cycle)))
        same = set()
        for i in (cycle * rounds)[:max(ACTIONS_PER_CONTROL, len(cycle))]:
            before = rec.changes
            if not self.timed(rec, lambda i=i: loc.select_option(index=i),
                              f"choosing {labels[i]!r} in {d['label']!r}"):
                return False
            if rec.changes == before:
                same.add(labels[i])
        if same:
            rec.notes.append("same figure after choosing " + ", ".join(map(repr, sorted(same))))
        if rec.changes == 0:
            self.fail(f"no option of dropdown {d['label']!r} changed the figure")
        self.done(rec)
        return True

    def toggles(self, groups: list[dict]) -> None:
        for g in groups:
            rec = self.new_control("radio" if g.get("radio") else "toggle", g["label"])
            if g["n"] < 2:
                rec.notes.append("only one choice")
                continue
            if not self.cycle_choices(g, rec):
                return

    def cycle_choices(self, g: dict, rec: ControlRecord) -> bool:
        """Every choice of a toggle or radio group, round and round, timed; False on a problem."""
        self.again[id(rec)] = (self.cycle_choices, g)
        radio = bool(g.get("radio"))
        group = self.run.ctl(g["ctl"])
        items = group.locator("input" if radio else "button")
        active = group.evaluate("""(g, radio) => [...g.querySelectorAll(radio ? 'input' : 'button')]
            .findIndex(b => radio ? b.checked : b.classList.contains('mod-active'))""", radio)
        start = max(active, 0)
        cycle = [(start + k) % g["n"] for k in range(1, g["n"] + 1)]
        rounds = max(1, -(-ACTIONS_PER_CONTROL // len(cycle)))
        for i in (cycle * rounds)[:max(ACTIONS_PER_CONTROL, len(cycle))]:
            text = items.nth(i).evaluate("b => b.textContent.trim() || b.parentElement.textContent.trim()")
            if not self.timed(rec, lambda i=i: items.nth(i).click(), f"clicking {text!r} in {g['label']!r}"):
                return False
        if rec.changes == 0:
            self.fail(f"no choice of {g['label']!r} changed the figure")
        self.done(rec)
        return True

    def checkboxes(self, boxes: list[dict]) -> None:
        for c in boxes:
            if not self.tick(c, self.new_control("checkbox", c["label"])):
                return

    def tick(self, c: dict, rec: ControlRecord) -> bool:
        """A check box on and off, an even number of times (it ends as it began), timed; False on a problem."""
        self.again[id(rec)] = (self.tick, c)
        for _ in range(ACTIONS_PER_CONTROL + ACTIONS_PER_CONTROL % 2):
            if not self.timed(rec, lambda: self.run.ctl(c["ctl"]).click(), f"clicking {c['label']!r}"):
                return False
        if rec.changes == 0:
            self.fail(f"ticking {c['label']!r} did not change the figure")
        self.done(rec)
        return True

    # -- fuzzing ------------------------------------------------------------------------
    def fuzz(self, controls: dict[str, list[dict]]) -> None:
        """A seeded random burst of moves without waiting; then the widget must settle and still redraw."""
        rng = random.Random(zlib.crc32(f"{self.stem}:{self.record.name}".encode()))
        moves = ([("slider", s) for s in controls["slider"]] + [("dropdown", d) for d in controls["dropdown"]]
                 + [("toggle", g) for g in controls["toggle"]] + [("checkbox", c) for c in controls["checkbox"]])
        if not moves:
            return
        keys = ["ArrowRight", "ArrowLeft", "ArrowRight", "ArrowLeft", "Home", "End", "PageUp", "PageDown"]
        log = []
        for _ in range(FUZZ_MOVES):
            kind, c = rng.choice(moves)
            loc = self.run.ctl(c["ctl"])
            if kind == "slider":
                key = rng.choice(keys)
                log.append(f"{key} on {c['label']!r}")
                self.run.press(c["ctl"], key)
            elif kind == "dropdown":
                i = rng.randrange(c["n"])
                log.append(f"option {i} of {c['label']!r}")
                loc.select_option(index=i)
            elif kind == "toggle":
                i = rng.randrange(c["n"])
                log.append(f"choice {i} of {c['label']!r}")
                loc.locator("input" if c.get("radio") else "button").nth(i).click()
            else:
                log.append(f"click {c['label']!r}")
                loc.click()
        self.run.settle(timeout_ms=120_000)
        what = f"the random moves (seeded): {', '.join(log)}"
        if not self.check_errors(what):
            return
        self.check_figure(what)
        self.shot("4_after_fuzzing")
        # It still redraws: one more move that must change the figure.
        kind, c = next(((k, c) for k, c in moves if k in ("slider", "checkbox")), moves[0])
        if kind == "slider":
            state = self.run.slider_state(c["ctl"])
            if state["disabled"] or state["min"] >= state["max"]:
                return
            key = "ArrowLeft" if state["now"] >= state["max"] else "ArrowRight"
            changed, _ = self.run.act(self.wid, lambda: self.run.press(c["ctl"], key))
        elif kind == "checkbox":
            changed, _ = self.run.act(self.wid, lambda: self.run.ctl(c["ctl"]).click())
        elif kind == "dropdown":
            loc = self.run.ctl(c["ctl"])
            i = (loc.evaluate("s => s.selectedIndex") + 1) % c["n"]
            changed, _ = self.run.act(self.wid, lambda: loc.select_option(index=i))
        else:
            return                                    # a toggle group alone: its cycle above proved redraws
        if self.check_errors("the move after fuzzing") and not changed:
            self.fail(f"after {what}, a {kind} move on {c['label']!r} no longer redraws the figure")

    def buttons(self, buttons: list[dict]) -> None:
        for b in buttons:
            rec = self.new_control("button", b["label"])
            changed, latency = self.run.act(self.wid, lambda: self.run.ctl(b["ctl"]).click(), timeout_ms=30_000)
            rec.actions += 1
            rec.changes += int(changed)
            if latency is not None:
                rec.latencies_ms.append(latency)
            rec.notes.append("clicked once, not judged (a button may start real work)"
                             + ("" if changed else "; figure unchanged (allowed)"))
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
        exercisers: list[Exerciser] = []
        for w in widgets:
            record = WidgetRecord(path.stem, _widget_name(w["source"]), w["cell"], load_1min=os.getloadavg()[0])
            records.append(record)
            t_widget = time.monotonic()
            widget_records.append(record)
            ex = Exerciser(run, w["id"], record, f"{path.stem}_cell{w['cell']:02d}")
            exercisers.append(ex)
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
            if not ex.problems:
                ex.fuzz(controls)
            for other in controls["other"]:
                record.controls.append(ControlRecord("other", other["label"], notes=[f"not exercised ({other['cls']})"]))
            if not any(controls[k] for k in ("slider", "dropdown", "toggle", "checkbox", "button")):
                record.display_only = True
                record.name = "progress bar" if w["progress"] else "display-only widget"
            problems += ex.problems
            print(f"  {record.name}: exercised in {time.monotonic() - t_widget:.1f} s")
        problems += [f"page error: {e}" for e in run.page_errors]
        assert not problems, f"{path.name}:\n" + "\n".join(problems) + _server_log_hint(lab, log_start)

        slow = []
        for ex in exercisers:
            for c in [c for c in ex.record.controls if verdict(c) == "TOO SLOW" and id(c) in ex.again]:
                again = ex.remeasure(c)
                if verdict(again) == "TOO SLOW" or ex.problems:
                    slow.append(f"{ex.record.name} (cell {ex.record.cell}), {c.kind} {c.label!r}: median "
                                f"{c.median_ms:.0f} ms, p95 {c.p95_ms:.0f} ms over {len(c.latencies_ms)} changes "
                                f"(load average {c.load_1min:.1f}); again: median {again.median_ms or 0:.0f} ms, "
                                f"p95 {again.p95_ms or 0:.0f} ms (load {again.load_1min:.1f})" + "".join(
                                    f"; {p}" for p in ex.problems))
        assert not slow, (f"{path.name}: control(s) over the failing latency ceiling (WIDGET_FAIL_MEDIAN_MS, "
                          "WIDGET_FAIL_P95_MS):\n" + "\n".join(slow))
        few = [f"{r.name}, {c.kind} {c.label!r}: {c.actions} actions" for r in records for c in r.controls
               if c.kind in ("slider", "dropdown", "toggle", "radio", "checkbox") and c.actions
               and c.actions < ACTIONS_PER_CONTROL]
        assert not few, f"{path.name}: control(s) moved fewer than {ACTIONS_PER_CONTROL} times:\n" + "\n".join(few)
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
