"""Reading a server's Prometheus metrics (tracking/metrics.py) in tests and scripts."""
from __future__ import annotations

import urllib.request
from typing import Optional

from prometheus_client.parser import text_string_to_metric_families


def metrics_text(base_url: str, token: Optional[str] = None) -> str:
    """What GET <base_url>/metrics answers (with `Authorization: Bearer token` when given)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(base_url.rstrip("/") + "/metrics", headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode("utf-8")


def sample(text: str, name: str, **labels: str) -> float:
    """The value of sample `name` (e.g. assistant_requests_filed_total) with exactly these labels; 0 when absent."""
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and found.labels == labels:
                return found.value
    return 0.0
