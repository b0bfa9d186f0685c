"""The staff command line against a temporary database (SQLite and PostgreSQL)."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tracking import cli as staff_cli
from tracking import service
from tracking.unit_of_work import UnitOfWork

ROOT = Path(__file__).resolve().parents[2]
# A formula for spreadsheets and a right-to-left override that would reorder the terminal line.
SPOOFING_NAME = "=SUM(1+1) Bob 🦄 \u202egnp.exe"


def run(url, *argv):
    out = io.StringIO()
    code = staff_cli.main(["--database-url", url, *argv], out=out)
    return code, out.getvalue()


@pytest.fixture
def filed(migrated_url):
    uow = UnitOfWork(url=migrated_url)
    old = datetime.now(timezone.utc) - timedelta(days=45)
    late = service.submit_request(organization="activpartners", right="access", name="Ana Lopez",
                                  email="ana@example.com", description="copie de mes données", uow=uow, now=old)
    fresh = service.submit_request(organization="cesi", right="erasure", name=SPOOFING_NAME, email="bob@example.org",
                                   description="delete\nall \x1b[2J", language="en", uow=uow)
    return late, fresh


def test_list_shows_every_request_and_filters(migrated_url, filed):
    late, fresh = filed
    code, out = run(migrated_url, "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["REFERENCE", "ORGANIZATION", "RIGHT", "STATUS"]
    assert lines[1].startswith(late.reference) and "OVERDUE" in lines[1] and "ana@example.com" in lines[1]
    assert lines[2].startswith(fresh.reference) and "OVERDUE" not in lines[2]
    assert "2 requests, 1 overdue" in out
    assert "\u202e" not in out and "Bob 🦄 \\u202egnp" in out  # shown escaped, not acted on by the terminal

    assert fresh.reference not in run(migrated_url, "list", "--overdue")[1]
    assert late.reference not in run(migrated_url, "list", "--organization", "cesi")[1]
    assert run(migrated_url, "list", "--status", "completed")[1].strip() == "No requests match."


def test_show_then_set_status_records_who_and_why(migrated_url, filed):
    late, _ = filed
    code, out = run(migrated_url, "set-status", late.reference.lower(), "identity_requested", "--note",
                    "copy of ID needed", "--by", "alice")
    assert code == 0 and "now identity_requested" in out
    code, out = run(migrated_url, "show", late.reference)
    assert code == 0
    assert "Status        identity_requested" in out and "clock paused since" in out
    assert "Right         access (right of access, GDPR art. 15)" in out
    assert "copie de mes données" in out and "Ana Lopez" in out
    _, other = run(migrated_url, "show", filed[1].reference)
    assert "\x1b" not in other and "delete\n              all \\x1b[2J" in other  # multi-line kept, escape defused
    history = out.split("History", 1)[1]
    assert "(filed) -> received" in history and "by requester" in history
    assert "received -> identity_requested" in history and "by alice" in history and "copy of ID needed" in history


def test_refused_changes_and_unknown_references_fail_with_a_message(migrated_url, filed, capsys):
    late, _ = filed
    assert run(migrated_url, "set-status", late.reference, "completed", "--note", "done")[0] == 0
    assert run(migrated_url, "set-status", late.reference, "in_progress", "--note", "reopen")[0] == 1
    assert "cannot go from completed to in_progress" in capsys.readouterr().err
    assert run(migrated_url, "set-status", "RR-2222-3333", "completed", "--note", "x")[0] == 1
    assert "no request" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # --note is required
        run(migrated_url, "set-status", late.reference, "completed")


def test_export_csv_to_a_file_and_to_standard_output(migrated_url, filed, tmp_path):
    late, fresh = filed
    target = tmp_path / "requests.csv"
    code, out = run(migrated_url, "export-csv", str(target))
    assert code == 0 and "Wrote 2 requests" in out
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert [row["reference"] for row in rows] == [late.reference, fresh.reference]
    assert rows[0]["description"] == "copie de mes données" and rows[1]["description"] == "delete\nall \x1b[2J"
    assert rows[1]["name"] == "'" + SPOOFING_NAME  # a formula is defused, the rest kept verbatim
    code, out = run(migrated_url, "export-csv", "--organization", "cesi")
    assert [row["email"] for row in csv.DictReader(io.StringIO(out))] == ["bob@example.org"]


def test_json_lines_prints_one_object_per_request_with_the_agreed_keys(migrated_url, filed):
    late, fresh = filed
    code, out = run(migrated_url, "json-lines")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [row["reference"] for row in rows] == [late.reference, fresh.reference]
    assert all(set(row) == {"reference", "organization", "right", "name", "email", "status", "created_at", "due_at"}
               for row in rows)
    assert rows[1]["name"] == SPOOFING_NAME
    assert datetime.fromisoformat(rows[0]["due_at"]) == late.due_at.replace(microsecond=0)  # to the second


def test_commands_on_a_database_never_migrated_say_what_to_do(database_url, capsys):
    assert run(database_url, "list")[0] == 1
    assert "migrate" in capsys.readouterr().err
    code, out = run(database_url, "migrate")
    assert code == 0 and "revision" in out
    assert run(database_url, "list") == (0, "No requests match.\n")


def test_the_module_runs_as_a_command_with_the_url_from_the_environment(tmp_path):
    env = {**os.environ, "TRACKING_DB_URL": f"sqlite:///{tmp_path / 'var' / 'cli.db'}"}

    def command(*argv):
        return subprocess.run([sys.executable, "-m", "tracking", *argv], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=60)

    migrated = command("migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert (tmp_path / "var" / "cli.db").is_file()
    service.submit_request(organization="acta", right="objection", name="Léa", email="lea@example.fr",
                           uow=UnitOfWork(url=env["TRACKING_DB_URL"]))
    listed = command("json-lines")
    assert listed.returncode == 0
    assert json.loads(listed.stdout)["email"] == "lea@example.fr"
    assert command("list", "--status", "nonsense").returncode == 2
