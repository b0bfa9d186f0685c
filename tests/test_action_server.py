"""The action server answers a failing action with a generic error, never the request (actions/server.py)."""
from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

from actions import server

TRACKER = {"sender_id": "web-x", "slots": {"full_name": "Zoë Quillfeather", "email": "zoe@privatemail.org"}}


def test_a_failing_action_gets_a_generic_error_naming_only_the_action():
    request = SimpleNamespace(json={"next_action": "action_start_rights_request", "tracker": TRACKER})
    reply = asyncio.run(server.generic_error(request, TypeError("unhashable type: 'dict' Quillfeather")))
    assert reply.status == 500
    assert json.loads(reply.body) == {"error": server.GENERIC_ERROR, "action_name": "action_start_rights_request"}


def test_the_application_uses_the_generic_handler_and_checks_types(monkeypatch):
    from rasa_sdk import endpoint

    monkeypatch.setattr(server, "_create_app", endpoint.create_app)
    app = server.create_app("actions")
    assert app.error_handler.lookup(TypeError(), None) is server.generic_error
