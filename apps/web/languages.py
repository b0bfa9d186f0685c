"""Which language a web page speaks: `?lang=` (the staff member's choice, remembered in a cookie on
/console), else that cookie, else the browser's Accept-Language, else the default. Codes go through
`language.supported`, the one parser."""
from __future__ import annotations

from typing import List, Optional, Tuple
from urllib.parse import urlencode

from sanic import Request

from language import DEFAULT_LANGUAGE, LANGUAGES, supported

LANGUAGE_PARAMETER = "lang"
LANGUAGE_COOKIE = "console_lang"


def accept_language(header: Optional[str]) -> Optional[str]:
    """The language we speak that the browser prefers most (highest q, then first listed), if any."""
    ranked: List[Tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")):
        tag, *parameters = part.split(";")
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        language = supported(tag.strip())
        if language and quality > 0:
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else None


def chosen_language(request: Request) -> Optional[str]:
    """The language asked for in this very request (`?lang=`), to be remembered."""
    return supported(request.args.get(LANGUAGE_PARAMETER))


def request_language(request: Request) -> str:
    return (chosen_language(request) or supported(request.cookies.get(LANGUAGE_COOKIE))
            or accept_language(request.headers.get("accept-language")) or DEFAULT_LANGUAGE)


def switch_links(request: Request, path: str) -> List[Tuple[str, str]]:
    """(language, URL) for each language: this page (`path`, its GET address) in that language."""
    kept = [(name, value) for name, values in request.args.items() if name != LANGUAGE_PARAMETER
            for value in values] if request.method == "GET" else []
    return [(code, f"{path}?{urlencode(kept + [(LANGUAGE_PARAMETER, code)])}") for code in LANGUAGES]
