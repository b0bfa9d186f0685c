"""The assistant every end-to-end test talks to: started once per test session."""
from __future__ import annotations

from typing import Iterator

import pytest

from e2e_servers import RestClient, running_assistant


@pytest.fixture(scope="session")
def assistant(tmp_path_factory) -> Iterator[RestClient]:
    with running_assistant(tmp_path_factory.mktemp("e2e")) as client:
        yield client
