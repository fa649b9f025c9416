"""make timings (common.tools.timings): times each cell, finds the slowest, never writes the notebook."""

from __future__ import annotations

import nbformat
import pytest

from common.tools import timings


def _notebook(path, *sources):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# title")]
                                  + [nbformat.v4.new_code_cell(s) for s in sources])
    nbformat.write(nb, path)
    return path.read_bytes()


def test_times_every_code_cell_and_finds_the_slowest(tmp_path):
    path = tmp_path / "01_demo.ipynb"
    before = _notebook(path, "x = 1", "\n# comment first? no: the first non-blank line\nimport time; time.sleep(0.4)",
                       "import os; print(os.environ.get('COURSE_QUICK'))")
    row = timings.time_notebook(path, quick=True)
    assert path.read_bytes() == before, "the notebook on disk must not change"
    assert [c.index for c in row.cells] == [1, 2, 3]
    assert row.slowest.index == 2 and 0.4 <= row.slowest.seconds < 5
    assert row.slowest.first_line == "# comment first? no: the first non-blank line"
    assert row.seconds >= sum(c.seconds for c in row.cells) and not row.error
    table = timings.format_table([row, row])
    assert "| 01_demo |" in table and "[2] `# comment first?" in table
    assert f"**course total** | **{2 * row.seconds:.0f} s" in table


def test_full_mode_unsets_quick_and_an_error_is_reported(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_QUICK", "1")
    path = tmp_path / "02_broken.ipynb"
    _notebook(path, "import os; assert 'COURSE_QUICK' not in os.environ", "1 / 0", "never = 1")
    row = timings.time_notebook(path)
    assert [c.index for c in row.cells] == [1, 2]
    assert "stopped at [2]" in row.error and "ZeroDivisionError" in row.error
    assert "ZeroDivisionError" in timings.format_table([row])


def test_chapter_list_and_the_command_line(tmp_path, monkeypatch, capsys):
    names = [p.name for p in timings.chapter_notebooks()]
    assert names == sorted(names) and names[0].startswith("00_") and all(n[:2].isdigit() for n in names)
    assert [p.name[:2] for p in timings.chapter_notebooks(["01", "02"])] == ["01", "02"]
    with pytest.raises(SystemExit):
        timings.main(["99"])
    seen = []
    monkeypatch.setattr(timings, "time_notebook", lambda path, quick, timeout: seen.append((path.name, quick))
                        or timings.ChapterTime(path.stem, 2.0, [timings.CellTime(1, "pass", 1.5)]))
    out = tmp_path / "t.md"
    assert timings.main(["00", "--quick", "--out", str(out)]) == 0
    assert seen == [(timings.chapter_notebooks(["00"])[0].name, True)]
    text = out.read_text()
    assert "quick mode" in text and "nbclient" in text and "load average" in text and "[1] `pass`, 1.5 s" in text
    assert text in capsys.readouterr().out
