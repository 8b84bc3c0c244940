"""The first run, before `warmline init` (issue 15): the error says to run init (or demo).

Before, the default rota's directory did not exist yet and the first command said "the directory
… does not exist: create it", which sends a new user the wrong way.
"""

from __future__ import annotations


def test_first_run_on_the_default_rota_says_init(run_cli):
    done = run_cli("shifts", env={"WARMLINE_DB": None})
    assert done.returncode == 1
    assert done.stderr.startswith("error: there is no rota yet: create one with `warmline init --name NAME --tz ZONE`")
    assert "warmline demo" in done.stderr and "does not exist: create it" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    # Nothing was made on the way.
    assert not (run_cli.workdir / "xdg-data" / "warmline").exists()


def test_an_explicit_rota_in_a_missing_directory_names_it_and_init(run_cli):
    missing = run_cli.workdir / "nowhere" / "rota.db"
    done = run_cli("--db", str(missing), "shifts")
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: there is no rota at {missing} (the directory {missing.parent} does not exist)")
    assert "`warmline init --name NAME --tz ZONE`" in done.stderr
    # init with --db into a missing directory still asks for the directory to be created.
    made = run_cli("--db", str(missing), "init", "--name", "L", "--tz", "UTC")
    assert made.returncode == 1 and f"the directory {missing.parent} does not exist: create it" in made.stderr
