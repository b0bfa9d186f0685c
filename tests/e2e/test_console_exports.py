"""The console's CSV export with text a person typed to break or arm it: a NUL, a bidi override, a
formula. Before tracking.text, one NUL in one request failed every export for every staff member.

Runs the real web app over HTTP (no Rasa needed).
"""
from __future__ import annotations

import csv
import io

import pytest

from console_browser import Browser
from tracking import service
from tracking.unit_of_work import UnitOfWork
from web_app_server import create_staff_user, migrated_sqlite_url, running_web_app

pytestmark = pytest.mark.e2e


def test_a_request_with_a_nul_bidi_override_and_formula_exports_from_the_console_defused(tmp_path):
    url = migrated_sqlite_url(tmp_path)
    create_staff_user(url, "carla", organizations=["cesi"])
    uow = UnitOfWork(url=url)
    armed = service.submit_request(organization="cesi", right="access", name="=HYPERLINK(\"x\")\x00 \u202eAnn",
                                   email="ann@example.com", description="\x00@SUM(1)\r\nsecond line", language="en",
                                   channel="test", uow=uow)
    plain = service.submit_request(organization="cesi", right="erasure", name="Paul Plain", email="paul@example.com",
                                   language="fr", channel="test", uow=uow)
    with running_web_app(url) as base:
        browser = Browser(base, "en-GB")
        assert browser.sign_in("carla")[0] == 303
        status, headers, exported = browser.request("GET", "/console/requests.csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    rows = {row["reference"]: row for row in csv.DictReader(io.StringIO(exported.lstrip("\ufeff")))}
    assert set(rows) == {armed.reference, plain.reference}
    assert rows[armed.reference]["name"] == "'=HYPERLINK(\"x\") Ann"
    assert rows[armed.reference]["description"] == "'@SUM(1)\nsecond line"
    assert rows[plain.reference]["name"] == "Paul Plain"
