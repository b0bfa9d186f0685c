"""The staff command line against a temporary database (SQLite and PostgreSQL)."""
from __future__ import annotations

import csv
import getpass
import io
import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tracking import accounts, audit, config, service
from tracking import cli as staff_cli
from tracking.unit_of_work import UnitOfWork

ROOT = Path(__file__).resolve().parents[2]
# A formula for spreadsheets and a right-to-left override that would reorder the terminal line.
SPOOFING_NAME = "=SUM(1+1) Bob 🦄 \u202egnp.exe"
STORED_NAME = "=SUM(1+1) Bob 🦄 gnp.exe"  # the override is dropped on the way in (tracking.text)


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
    assert "\u202e" not in out and "Bob 🦄 gnp.exe" in out  # never stored, so never acted on by the terminal

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
    assert "\x1b" not in other and "delete\n              all [2J" in other  # multi-line kept, escape dropped
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
    assert rows[0]["description"] == "copie de mes données" and rows[1]["description"] == "delete\nall [2J"
    assert rows[1]["name"] == "'" + STORED_NAME  # a formula is defused
    code, out = run(migrated_url, "export-csv", "--organization", "cesi")
    assert [row["email"] for row in csv.DictReader(io.StringIO(out))] == ["bob@example.org"]


def test_a_nul_or_formula_typed_in_a_request_does_not_break_or_arm_the_export(migrated_url, filed, tmp_path):
    uow = UnitOfWork(url=migrated_url)
    nul = service.submit_request(organization="acta", right="access", name="+Zed\x00 Null", email="zed@example.org",
                                 description="\x00-2+3", uow=uow)
    target = tmp_path / "requests.csv"
    code, out = run(migrated_url, "export-csv", str(target))
    assert code == 0 and "Wrote 3 requests" in out
    rows = {row["reference"]: row for row in csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig")))}
    assert (rows[nul.reference]["name"], rows[nul.reference]["description"]) == ("'+Zed Null", "'-2+3")


def test_json_lines_prints_one_object_per_request_with_the_agreed_keys(migrated_url, filed):
    late, fresh = filed
    code, out = run(migrated_url, "json-lines")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [row["reference"] for row in rows] == [late.reference, fresh.reference]
    assert all(set(row) == {"reference", "organization", "right", "name", "email", "status", "created_at", "due_at"}
               for row in rows)
    assert rows[1]["name"] == STORED_NAME
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


def create_user(url, monkeypatch, *argv, stdin="a long enough password\n"):
    """`create-user` as a script runs it: the password on standard input, which is not a terminal."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return run(url, "create-user", *argv)


def test_create_user_reads_the_password_from_standard_input_with_organisations_or_admin(migrated_url, monkeypatch):
    code, out = create_user(migrated_url, monkeypatch, "Carla", "--org", "cesi, akteos")
    assert code == 0 and "carla created (organisations akteos, cesi)" in out
    assert create_user(migrated_url, monkeypatch, "ada", "--admin")[0] == 0
    uow = UnitOfWork(url=migrated_url)
    assert accounts.authenticate("carla", "a long enough password", uow=uow) == "carla"
    listed = {account.username: account for account in accounts.list_accounts(uow=uow)}
    assert (listed["carla"].is_admin, listed["carla"].organizations) == (False, ("akteos", "cesi"))
    assert (listed["ada"].is_admin, listed["ada"].organizations) == (True, ())


@pytest.mark.parametrize("argv, refusal", [
    (("mallory", "--org", "cesi,nowhere"), "unknown organisation nowhere"),
    (("mallory",), "at least one organisation"),
    (("mallory", "--org", "cesi", "--password-stdin"), "at least 12 characters"),
])
def test_create_user_refuses_unknown_organisations_and_short_passwords(migrated_url, monkeypatch, capsys, argv,
                                                                        refusal):
    stdin = "short\n" if "--password-stdin" in argv else "a long enough password\n"
    assert create_user(migrated_url, monkeypatch, *argv, stdin=stdin)[0] == 1
    assert refusal in capsys.readouterr().err
    assert accounts.list_accounts(uow=UnitOfWork(url=migrated_url)) == []


def test_create_user_asks_twice_on_a_terminal(migrated_url, monkeypatch):
    answers = iter(["typed on a terminal", "typed on a terminal"])
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(getpass, "getpass", lambda prompt: next(answers))
    assert run(migrated_url, "create-user", "tom", "--org", "acta")[0] == 0
    assert accounts.authenticate("tom", "typed on a terminal", uow=UnitOfWork(url=migrated_url)) == "tom"


def test_every_command_is_recorded_in_the_audit_log_as_the_operator(migrated_url, filed, monkeypatch, tmp_path):
    late, _ = filed
    monkeypatch.setattr(staff_cli, "login", lambda: "ops")
    uses = {
        "list": ["list", "--overdue"], "show": ["show", late.reference],
        "set-status": ["set-status", late.reference, "in_progress", "--note", "ID checked by Ana"],
        "export-csv": ["export-csv", str(tmp_path / "out.csv")], "json-lines": ["json-lines"], "migrate": ["migrate"],
        "create-user": ["create-user", "carla", "--org", "cesi"], "set-password": ["set-password", "carla"],
        "set-organizations": ["set-organizations", "carla", "--org", "acta"], "disable-user": ["disable-user", "carla"],
        "enable-user": ["enable-user", "carla"], "users": ["users"], "audit": ["audit", "--action", "export"],
        "digest": ["digest", "--dry-run"], "rotate-key": ["rotate-key", "--keep-key"],
        "purge": ["purge", "--dry-run"],
    }
    assert set(uses) == set(staff_cli._parser()._subparsers._group_actions[0].choices)  # a new command is listed here
    expected = {"list": "cli", "show": "view_request", "set-status": "change_status", "export-csv": "export",
                "json-lines": "export", "migrate": "cli", "create-user": "manage_account",
                "set-password": "manage_account", "set-organizations": "manage_account",
                "disable-user": "manage_account", "enable-user": "manage_account", "users": "cli", "audit": "cli",
                "digest": "cli", "rotate-key": "cli", "purge": "cli"}
    for command, argv in uses.items():
        monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough password\n"))
        before = len(audit.entries(uow=UnitOfWork(url=migrated_url)))
        assert run(migrated_url, *argv)[0] == 0, command
        after = audit.entries(uow=UnitOfWork(url=migrated_url))  # newest first
        added = after[:len(after) - before]
        assert [(row.actor, row.action.value) for row in added] == [("cli:ops", expected[command])], command
    logged = repr(audit.entries(uow=UnitOfWork(url=migrated_url)))
    assert "Ana" not in logged and "ana@example.com" not in logged  # the note and the requester stay out


def test_the_audit_command_lists_and_exports_the_log(migrated_url, filed, tmp_path):
    late, _ = filed
    run(migrated_url, "show", late.reference)
    code, out = run(migrated_url, "audit", "--action", "view_request")
    assert code == 0
    assert out.splitlines()[0].split()[:3] == ["AT", "ACTOR", "ACTION"] and late.reference in out
    assert "1 entry" in out
    code, out = run(migrated_url, "audit", "--format", "json-lines", "--actor", "nobody")
    assert (code, out) == (0, "")
    target = tmp_path / "audit.csv"
    code, out = run(migrated_url, "audit", "--format", "csv", "--since", "2000-01-01", str(target))
    assert code == 0 and "Wrote 3 audit rows" in out  # the view, the table read, the empty export
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [row["action"] for row in rows] == ["export", "cli", "view_request"]
    assert run(migrated_url, "audit", "--since", "last week")[0] == 1


def test_exports_and_the_sqlite_database_are_readable_by_their_owner_only(tmp_path, monkeypatch):
    os.umask(0o022)  # the usual umask: files world-readable unless created otherwise
    url = f"sqlite:///{tmp_path / 'fresh' / 'tracking.db'}"
    assert run(url, "migrate")[0] == 0
    service.submit_request(organization="cesi", right="access", name="Ana Lopez", email="ana@example.com",
                           uow=UnitOfWork(url=url))
    (tmp_path / "old.csv").write_text("stale")
    (tmp_path / "old.csv").chmod(0o644)
    assert run(url, "export-csv", str(tmp_path / "old.csv"))[0] == 0
    assert run(url, "audit", "--format", "csv", str(tmp_path / "audit.csv"))[0] == 0
    with config.get_engine(url).connect() as connection:  # open: SQLite's -wal and -shm files exist
        connection.exec_driver_sql("SELECT count(*) FROM requests")
        files = [tmp_path / "old.csv", tmp_path / "audit.csv", *(tmp_path / "fresh").iterdir()]
        modes = {path.name: oct(path.stat().st_mode & 0o777) for path in files}
    assert set(modes) >= {"old.csv", "audit.csv", "tracking.db", "tracking.db-wal"}
    assert modes == {name: "0o600" for name in modes}
    assert "Ana Lopez" in (tmp_path / "old.csv").read_text(encoding="utf-8-sig")
