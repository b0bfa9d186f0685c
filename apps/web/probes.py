"""What a load balancer and Prometheus ask the web app: /health (the process answers), /ready (it can
serve: Rasa answers and the tracking database has its schema) and /metrics (tracking/metrics.py)."""
from __future__ import annotations

from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse

from tracking import config, metrics

READY_TIMEOUT_SECONDS = 3.0  # under a load balancer's check timeout

probes = Blueprint("probes")


@probes.get("/health")
async def health(_request: Request) -> HTTPResponse:
    return response.json({"status": "ok"})


@probes.get("/ready")
async def ready(request: Request) -> HTTPResponse:
    checks = {"rasa": await request.app.ctx.rasa.reachable(READY_TIMEOUT_SECONDS),
              "database": await config.database_ready_within(READY_TIMEOUT_SECONDS)}
    return response.json({"ready": all(checks.values()), **checks}, status=200 if all(checks.values()) else 503)


@probes.get("/metrics")
async def metrics_endpoint(request: Request) -> HTTPResponse:
    status, body, content_type = metrics.scrape(request.headers.get("authorization"))
    return response.raw(body, status=status, content_type=content_type)
