"""Rasa serves no socket.io channel (issue 14, item 4): it accepted any origin and let any client
join any conversation's room by its id; the widget uses REST through the web app's /chat."""
from __future__ import annotations

import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.e2e


def test_rasa_serves_no_socket_io_endpoint(assistant):
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(assistant.url + "/socket.io/?EIO=4&transport=polling", timeout=10)
    assert refused.value.code == 404
