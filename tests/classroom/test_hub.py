"""The seminar hub end to end: logins, isolation, a homework round, a restart, a room of ten.

One hub for the whole module (conftest.py starts it exactly as `make hub` does, over TLS
on 127.0.0.1). The tests run in file order and share it; each brings the servers it
needs up itself.

- Logins: a wrong password and an account that is not on the roster are refused; two
  students at once log in through Chromium (after a mistyped password), open chapter 1,
  run it down to its first widget and move a slider (the figure must change).
- Isolation: a student can reach neither another student's server (through the hub,
  or straight to its port with her own token) nor their files, and only the lecturer
  is an admin.
- Homework: nbgrader release → fetch → submit (one right, one wrong) → collect →
  autograde → feedback, on the hub's exchange; the exchange itself does not let one
  student find, read or forge another's submission or feedback.
- Restart: a student's edits survive a restart of the hub, an update the lecturer
  publishes reaches the student without overwriting those edits, and someone taken off
  the roster can no longer log in.
- Load: ten students start their servers and run the first cells of the prelude at
  once; time to first result and memory go to test-artifacts/classroom_load.md.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from hubclient import ARTIFACTS, HOMEWORK, ROOT, HubError, available_memory, memory_of

pytestmark = [pytest.mark.network]
CHAPTER = "chapters/01_perceptron.ipynb"
LOAD_CHAPTER = os.environ.get("CLASSROOM_LOAD_CHAPTER", "00_prelude")
LOAD_CELLS = int(os.environ.get("CLASSROOM_LOAD_CELLS", "3"))  # code cells each student runs; 0 = all


# --------------------------------------------------------------------------- logins


def test_wrong_password_and_unapproved_account_are_refused(hub) -> None:
    ana = hub.students[0]
    with pytest.raises(HubError, match="refused"):
        hub.student(ana, password="not-" + hub.passwords[ana]).login()
    stranger = f"{hub.prefix}-stranger"  # a real account with a valid password, not on the roster
    with pytest.raises(HubError, match="refused"):
        hub.student(stranger).login()
    assert hub.student(ana).login().ok   # the right password still works


def test_only_the_lecturer_is_admin(hub) -> None:
    lecturer = hub.student(hub.lecturer)
    lecturer.login()
    users = {u["name"]: u for u in lecturer.api("GET", "/hub/api/users").json()}
    assert {n for n, u in users.items() if u["admin"]} == {hub.lecturer}
    assert set(users) == {hub.lecturer, *hub.students, *hub.load_students, hub.leaver}
    ana = hub.student(hub.students[0])
    ana.login()
    assert ana.api("GET", "/hub/api/users").status_code == 403


@pytest.mark.browser
def test_two_students_run_a_chapter_and_move_a_widget_in_chromium(hub) -> None:
    from labdriver import CHROMIUM

    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium chromium-driver")
    (ARTIFACTS / "classroom").mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(2) as pool:  # both at once, as in a room (each thread its own browser)
        report = list(pool.map(lambda name: _chapter_in_chromium(hub, name), hub.students))
    print("\n".join(report))


def _chapter_in_chromium(hub, name: str) -> str:
    """Log in, open chapter 1 in the student's copy, run it down to its first widget, move a slider."""
    from labdriver import CHROMIUM, CHROMIUM_FLAGS, NotebookRun
    from playwright.sync_api import sync_playwright

    shots, short = ARTIFACTS / "classroom", name.split("-")[-1]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS)
        try:
            # The test's own certificate: Chromium is told to accept it (requests verify it).
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, ignore_https_errors=True)
            page = context.new_page()
            page.goto(f"{hub.base}/hub/login", wait_until="domcontentloaded")
            page.fill("#username_input", name)
            page.fill("#password_input", "not-" + hub.passwords[name])
            page.click("#login_submit")
            page.wait_for_selector(".login_error", timeout=60_000)  # a typo is refused, visibly
            assert "/hub/login" in page.url
            t0 = time.monotonic()
            page.fill("#username_input", name)
            page.fill("#password_input", hub.passwords[name])
            page.click("#login_submit")
            page.wait_for_url(re.compile(rf"/user/{name}/lab"), timeout=180_000)
            page.wait_for_selector(".jp-LabShell", timeout=120_000)
            t_lab = time.monotonic()
            run = NotebookRun(page, _HubLab(hub.base, name), Path(CHAPTER), shots)
            run.open()
            _run_through(run, _first_widget_cell(ROOT / CHAPTER))
            t_run = time.monotonic()
            assert not run.errors(), f"{name}: {CHAPTER} does not run cleanly:\n{run.errors()}"
            widgets = [w for w in run.find_widgets() if run.controls(w["id"])["slider"]]
            assert widgets, f"{name}: no widget with a slider in {CHAPTER}"
            wid = widgets[0]["id"]
            slider = run.controls(wid)["slider"][0]["ctl"]
            changed, latency = run.act(wid, lambda: run.press(slider, "ArrowRight"))
            assert changed, f"{name}: moving the slider did not change the figure"
            assert not run.errors()
            run.screenshot(wid, shots / f"widget_{short}.png")
            page.screenshot(path=str(shots / f"lab_{short}.png"))
            run.shutdown_kernel()
        finally:
            browser.close()
    return (f"{name}: JupyterLab open {t_lab - t0:.1f} s after the login page, chapter run to its "
            f"widget in {t_run - t_lab:.1f} s, slider → new figure in {latency or float('nan'):.0f} ms")


def _first_widget_cell(path: Path) -> int:
    cells = json.loads(path.read_text())["cells"]
    return next(i for i, c in enumerate(cells) if c["cell_type"] == "code" and any(
        "application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in c.get("outputs", [])))


def _run_through(run, index: int, timeout_ms: float = 180_000) -> None:
    """Run the cells down to ``index`` (the first widget) as a student does: select it, run above, run it."""
    run.page.evaluate("""async i => {
        const app = window.jupyterapp, nb = app.shell.currentWidget.content;
        await app.commands.execute('notebook:clear-all-cell-outputs');
        nb.activeCellIndex = i;
        await app.commands.execute('notebook:run-all-above');
        await app.commands.execute('notebook:run-cell');
    }""", index)
    run.page.wait_for_function(
        "i => window.__wt.idle(1500) && (window.__wt.unexecuted().every(k => k > i)"
        " || window.__wt.notebookErrors().length > 0)", arg=index, timeout=timeout_ms, polling=250)


class _HubLab:
    """What labdriver.NotebookRun needs of a server: the URL of a notebook (in the student's copy)."""

    def __init__(self, base: str, user: str) -> None:
        self.base, self.user = base, user

    def notebook_url(self, path: Path) -> str:
        return f"{self.base}/user/{self.user}/lab/tree/{path.as_posix()}?reset"


# --------------------------------------------------------------------------- isolation


def test_a_student_cannot_reach_another_students_server_or_files(hub) -> None:
    ana, ben = (hub.ready(n) for n in hub.students)
    (hub.home(ben.name) / "private.txt").write_text("ben's notes")
    subprocess.run(["chown", f"{ben.name}:{ben.name}", str(hub.home(ben.name) / "private.txt")], check=True)

    # Through the hub: Ana's token opens nothing of Ben's.
    for method, path in [("GET", f"/user/{ben.name}/api/contents"),
                         ("GET", f"/user/{ben.name}/api/kernels"),
                         ("DELETE", f"/hub/api/users/{ben.name}/server"),
                         ("POST", f"/hub/api/users/{ben.name}/tokens")]:
        r = ana.api(method, path, allow_redirects=False)
        assert r.status_code in (302, 403, 404), f"Ana {method} {path}: HTTP {r.status_code}"
        if r.status_code == 302:   # the proxy hands an unknown user to the hub's login, never to Ben
            assert f"/user/{ben.name}" not in r.headers.get("location", "").split("next=")[0]
    assert ben.server("GET", "/api/contents").ok  # Ben's own token does

    # Straight to Ben's server on its port, from Ana's kernel, with Ana's own token.
    target = hub.routes()[f"/user/{ben.name}"]["target"]
    kernel = ana.kernel()
    try:
        probe = kernel.run(
            "import os, urllib.request, urllib.error\n"
            f"req = urllib.request.Request('{target}/user/{ben.name}/api/contents',\n"
            "    headers={'Authorization': 'token ' + os.environ['JUPYTERHUB_API_TOKEN']})\n"
            "try:\n    print('HTTP', urllib.request.urlopen(req, timeout=20).status)\n"
            "except urllib.error.HTTPError as e:\n    print('HTTP', e.code)\n")
        assert probe.error is None and probe.text.strip() in ("HTTP 403", "HTTP 401"), probe
        # Ben's files, from Ana's account.
        home = hub.home(ben.name)
        files = kernel.run(
            "import os\nfor what, act in [('list', lambda: os.listdir(%r)),\n"
            "                  ('read', lambda: open(%r).read()),\n"
            "                  ('write', lambda: open(%r, 'w').write('x'))]:\n"
            "    try:\n        act(); print(what, 'ALLOWED')\n"
            "    except PermissionError:\n        print(what, 'denied')\n"
            % (str(home), str(home / "private.txt"), str(home / "chapters" / "mine.txt")))
        assert files.text.split() == ["list", "denied", "read", "denied", "write", "denied"], files
        assert kernel.run("import getpass; print(getpass.getuser())").text.strip() == ana.name
    finally:
        kernel.close()


# --------------------------------------------------------------------------- homework


def _solved(master: dict, student_nb: dict, wrong: dict[str, str] | None = None) -> dict:
    """The student's fetched notebook with every answer cell filled from the master (or ``wrong``)."""
    answers = {c["metadata"]["nbgrader"]["grade_id"]: re.sub(r"[ \t]*### (BEGIN|END) SOLUTION\n?", "",
                                                            "".join(c["source"]))
               for c in master["cells"] if c["metadata"].get("nbgrader", {}).get("solution")}
    answers.update(wrong or {})
    for cell in student_nb["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell["source"] = answers[grade_id]
    return student_nb


TRANSPOSED = '''def my_output_grid(w, b, xs, ys):
    X1, X2 = np.meshgrid(xs, ys)
    return (w[0] * X1 + w[1] * X2 + b > 0).astype(int).T
'''


def _grader(lecturer, action: str) -> dict:
    """One action of nbgrader's formgrader in the lecturer's server (what its buttons call)."""
    r = lecturer.server("POST", f"/formgrader/api/{action}", timeout=600)
    r.raise_for_status()
    result = r.json()
    assert result.get("success"), f"formgrader {action}: {result.get('error') or result.get('log')}"
    return result


def test_homework_round_with_feedback_and_a_closed_exchange(hub) -> None:
    with ThreadPoolExecutor(3) as pool:
        lecturer, ana, ben = pool.map(hub.ready, [hub.lecturer, *hub.students])
    course, exchange = hub.settings["course_id"], Path(hub.settings["exchange"])
    _grader(lecturer, f"assignment/{HOMEWORK}/release")

    listed = ana.server("GET", f"/assignments?course_id={course}").json()
    assert listed["success"] and HOMEWORK in {a["assignment_id"] for a in listed["value"]}, listed
    master = lecturer.read_notebook(f"grading/source/{HOMEWORK}/{HOMEWORK}.ipynb")
    nb_path = f"homework/{HOMEWORK}/{HOMEWORK}.ipynb"
    for student, wrong in [(ana, None), (ben, {"ex6_output_grid_answer": TRANSPOSED})]:
        r = student.server("POST", "/assignments/fetch", data={"course_id": course, "assignment_id": HOMEWORK})
        assert r.json()["success"], r.text
        student.write_notebook(nb_path, _solved(master, student.read_notebook(nb_path), wrong))
        r = student.server("POST", "/assignments/submit", data={"course_id": course, "assignment_id": HOMEWORK})
        assert r.json()["success"], r.text

    # The exchange: Ana can neither list nor find Ben's submission nor change the released
    # assignment, and a forgery in his name (her own notebook filed as Ben's) is left out.
    kernel = ana.kernel()
    try:
        inbound, feedback = exchange / course / "inbound", exchange / course / "feedback"
        seen = kernel.run(
            "import glob, os, shutil, time\n"
            "for d in (%r, %r):\n"
            "    try:\n        os.listdir(d); print('ALLOWED')\n"
            "    except PermissionError:\n        print('denied')\n"
            "print(len(glob.glob(%r)))\n"
            "forged = os.path.join(%r, '%s+%s+' + time.strftime('%%Y-%%m-%%d %%H:%%M:%%S.999999 UTC') + '+forged')\n"
            "shutil.copytree(%r, forged)\n"
            "try:\n    open(os.path.join(%r, 'planted.txt'), 'w'); print('ALLOWED')\n"
            "except PermissionError:\n    print('denied')\n"
            % (str(inbound), str(feedback), str(inbound / f"{ben.name}+*"), str(inbound), ben.name, HOMEWORK,
               str(hub.home(ana.name) / "homework" / HOMEWORK), str(exchange / course / "outbound" / HOMEWORK)))
        assert seen.error is None and seen.text.split() == ["denied", "denied", "0", "denied"], seen
    finally:
        kernel.close()

    collected = _grader(lecturer, f"assignment/{HOMEWORK}/collect")
    assert "made by " + ana.name in collected["log"], "the forged submission went unnoticed"
    for student in (ana, ben):
        _grader(lecturer, f"submission/{HOMEWORK}/{student.name}/autograde")
    _grader(lecturer, f"assignment/{HOMEWORK}/generate_feedback")
    _grader(lecturer, f"assignment/{HOMEWORK}/release_feedback")

    # The gradebook, as the formgrader shows it.
    subs = lecturer.server("GET", f"/formgrader/api/submitted_notebooks/{HOMEWORK}/{HOMEWORK}").json()
    scores = {sub["student"]: (sub["score"], sub["max_score"]) for sub in subs}
    ben_sub = next(sub for sub in subs if sub["student"] == ben.name)
    grades = lecturer.server("GET", f"/formgrader/api/grades?submission_id={ben_sub['id']}").json()
    lost = {g["name"]: (g["auto_score"], g["max_score"]) for g in grades
            if (g["auto_score"] or 0) < g["max_score"]}
    assert scores[ana.name][0] == scores[ana.name][1] > 0, scores
    assert 0 < scores[ben.name][0] < scores[ben.name][1], scores
    assert {"ex6_output_grid_check", "ex6_output_grid_hidden"} <= set(lost), lost
    graded = lecturer.read_notebook(f"grading/autograded/{ben.name}/{HOMEWORK}/{HOMEWORK}.ipynb")
    assert "Did you transpose the grid?" in json.dumps(graded)
    transposed = TRANSPOSED.splitlines()[-1].strip()
    for student, has in [(ana.name, False), (ben.name, True)]:
        submitted = lecturer.read_notebook(f"grading/submitted/{student}/{HOMEWORK}/{HOMEWORK}.ipynb")
        assert (transposed in json.dumps(submitted)) == has, f"{student}'s collected submission is not theirs"

    # Feedback goes back to each student, and only to them.
    for student in (ana, ben):
        r = student.server("POST", "/assignments/fetch_feedback",
                           data={"course_id": course, "assignment_id": HOMEWORK})
        assert r.json()["success"], r.text
        feedback = next((hub.home(student.name) / "homework" / HOMEWORK / "feedback").glob("*/*.html"))
        html = feedback.read_text()
        score, total = scores[student.name]
        assert re.search(rf"Score:\s*{score:g}(\.0)?\s*/\s*{total:g}(\.0)?", html), html[:2000]
        assert ("Did you transpose the grid?" in html) == (student is ben)
        shutil.copy(feedback, ARTIFACTS / "classroom" / f"feedback_{student.name.split('-')[-1]}.html")
    print(f"homework scores: {scores}; Ben lost points on {sorted(lost)}")


# --------------------------------------------------------------------------- restart


def test_work_survives_a_restart_updates_keep_it_and_the_roster_decides(hub) -> None:
    ana = hub.ready(hub.students[0])
    nb = ana.read_notebook(CHAPTER)
    nb["cells"].insert(0, {"cell_type": "markdown", "metadata": {}, "source": "Ana's note: check the bias."})
    ana.write_notebook(CHAPTER, nb)

    # Meanwhile the lecturer changes the same chapter and adds a file; `make hub` (the restart)
    # publishes both.
    chapters = hub.tmp / "chapters"
    (chapters / "NEWS.md").write_text("Chapter 1 has a new exercise.\n")
    lecturer_nb = json.loads((chapters / "01_perceptron.ipynb").read_text())
    lecturer_nb["cells"].append({"cell_type": "markdown", "metadata": {}, "source": ["A new exercise."]})
    (chapters / "01_perceptron.ipynb").write_text(json.dumps(lecturer_nb, indent=1))

    # And takes someone off the roster, who could log in until now.
    assert hub.student(hub.leaver).login().ok
    hub.roster.write_text("".join(line for line in hub.roster.read_text().splitlines(keepends=True)
                                  if not line.startswith(hub.leaver + ",")))

    hub.stop()
    assert not hub.processes(), f"stopping the hub left {hub.processes()} running"
    hub.start()
    with pytest.raises(HubError, match="refused"):
        hub.student(hub.leaver).login()
    ana = hub.ready(hub.students[0])
    again = ana.read_notebook(CHAPTER)
    assert "".join(again["cells"][0]["source"]) == "Ana's note: check the bias.", "Ana's edit was lost"
    assert ana.server("GET", "/api/contents/chapters/NEWS.md").ok, "the published update did not arrive"


# --------------------------------------------------------------------------- load


def _code_cells(chapter: str, n: int) -> list[str]:
    nb = json.loads((ROOT / "chapters" / f"{chapter}.ipynb").read_text())
    cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    return cells if n == 0 else cells[:n]


def test_ten_students_start_and_run_the_first_cells_at_once(hub) -> None:
    cells = _code_cells(LOAD_CHAPTER, LOAD_CELLS)
    names = hub.load_students
    before = available_memory()
    idle_pss: dict[str, int] = {}

    def one(name: str) -> dict:
        s = hub.student(name)
        t0 = time.monotonic()
        s.login()
        s.start_server()
        s.wait_server(timeout=600)
        ready = time.monotonic() - t0
        idle_pss[name] = memory_of(name)[0]
        kernel = s.kernel()
        # The chapter's own first cells, run in the student's copy (its folder, full mode).
        setup = kernel.run("import os; os.chdir(os.path.expanduser('~/chapters'))")
        assert setup.error is None, setup
        first = None
        for code in cells:
            result = kernel.run(code, timeout=600)
            assert result.error is None, f"{name}: {result.error} in {code[:80]!r}"
            first = first or time.monotonic() - t0
        done = time.monotonic() - t0
        pss, rss = memory_of(name)
        return {"name": name, "ready": ready, "first": first, "done": done, "pss": pss, "rss": rss,
                "kernel": kernel}

    t_start = time.monotonic()
    with ThreadPoolExecutor(len(names)) as pool:
        results = list(pool.map(one, names))
    wall = time.monotonic() - t_start
    during = available_memory()
    for r in results:
        r.pop("kernel").close()

    mb = 1 << 20
    pss = [r["pss"] / mb for r in results]
    idle = [idle_pss[r["name"]] / mb for r in results]
    lines = [
        f"# Ten students at once: {LOAD_CHAPTER}, {'all' if not LOAD_CELLS else LOAD_CELLS} code cells each",
        "",
        f"Machine: {os.cpu_count()} cores, load average at the end {os.getloadavg()[0]:.1f}; "
        f"wall time {wall:.0f} s.",
        "",
        "| | median | max |", "|---|---:|---:|",
        f"| login → server ready (s) | {statistics.median(r['ready'] for r in results):.1f} | {max(r['ready'] for r in results):.1f} |",
        f"| login → first result (s) | {statistics.median(r['first'] for r in results):.1f} | {max(r['first'] for r in results):.1f} |",
        f"| login → all cells done (s) | {statistics.median(r['done'] for r in results):.1f} | {max(r['done'] for r in results):.1f} |",
        f"| memory per student, server idle (PSS, MB) | {statistics.median(idle):.0f} | {max(idle):.0f} |",
        f"| memory per student, after the cells (PSS, MB) | {statistics.median(pss):.0f} | {max(pss):.0f} |",
        f"| memory per student, after the cells (RSS, MB) | {statistics.median(r['rss'] / mb for r in results):.0f} | {max(r['rss'] / mb for r in results):.0f} |",
        "",
        f"Available memory fell by {(before - during) / mb:.0f} MB for the ten "
        f"({(before - during) / mb / len(names):.0f} MB a student).",
    ]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "classroom_load.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    assert all(r["first"] is not None for r in results)
    assert max(pss) < 1024, f"a student's server and kernel use {max(pss):.0f} MB"
