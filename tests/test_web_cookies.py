"""A malformed Cookie header costs the web app that cookie, not the request (apps/web/app.py)."""
from __future__ import annotations

from apps.web.app import readable_cookies


def test_the_readable_cookies_of_a_malformed_header_are_kept():
    assert readable_cookies("?&=#") == {}
    assert readable_cookies('a=b; ?&=#; staff_session=xyz; console_lang="fr"') == \
        {"a": "b", "staff_session": "xyz", "console_lang": "fr"}
    assert readable_cookies(None) == {} and readable_cookies("") == {}
