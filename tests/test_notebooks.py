"""The example notebooks run at CI size, and each .ipynb matches its .py twin."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
SCRIPTS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))


def test_notebooks_found():
    assert [p.name for p in SCRIPTS] == ["01_mt_quickstart.py", "02_reproduce_yao2023.py",
                                         "03_joint_em_rf.py", "04_x_discontinuity.py",
                                         "05_real_em_data.py"]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_notebook_runs_at_ci_size(script, tmp_path):
    env = dict(os.environ, BAYESJOINT_NOTEBOOK_SIZE="ci", MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_notebook_is_paired(script):
    jupytext = pytest.importorskip("jupytext")
    ipynb = script.with_suffix(".ipynb")
    assert ipynb.exists(), f"{ipynb.name} is missing: run jupytext --to ipynb --execute"
    py_nb, ipynb_nb = jupytext.read(script), jupytext.read(ipynb)

    def cells(nb):
        return [(c.cell_type, c.source.strip()) for c in nb.cells]

    assert cells(py_nb) == cells(ipynb_nb), f"{ipynb.name} and {script.name} differ"
    executed = [c for c in ipynb_nb.cells if c.cell_type == "code"]
    assert executed and all(c.get("execution_count") for c in executed), \
        f"{ipynb.name} is not fully executed"
