"""The deployment files (deploy/), checked offline with no container daemon: the compose file against the
Compose Specification's JSON schema (deploy/schema/compose-spec.json, from Debian's docker-compose
1.29.2: `docker compose` is not installed here), every service built or pulled and health-checked,
every variable it sets or reads one the project documents and reads, no secret written in any file,
the image's entry point naming modules that exist, and the load balancer's ports those of the services."""
from __future__ import annotations

import copy
import functools
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
COMPOSE = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
OURS = {name: service for name, service in SERVICES.items() if "build" in service}
DOCKERFILE = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
ENTRYPOINT = (DEPLOY / "entrypoint.sh").read_text(encoding="utf-8")
HAPROXY = (DEPLOY / "haproxy.cfg").read_text(encoding="utf-8")
INTERPOLATION = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(?:(?::?[-?])[^}]*)?\}")
SECRET_NAME = re.compile(r"PASSWORD|TOKEN|SECRET|KEYS?$")
# Variables of the images we do not build, and compose's own.
THIRD_PARTY = {"POSTGRES_USER", "POSTGRES_DB", "POSTGRES_PASSWORD", "COMPOSE_PROJECT_NAME"}


def _validator() -> jsonschema.Draft201909Validator:
    schema = json.loads((DEPLOY / "schema" / "compose-spec.json").read_text(encoding="utf-8"))
    return jsonschema.Draft201909Validator(schema, format_checker=jsonschema.FormatChecker())


def test_the_compose_file_follows_the_compose_specification():
    errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in _validator().iter_errors(COMPOSE)]
    assert errors == []


def test_the_schema_check_catches_a_misspelt_key_and_a_wrong_type():
    broken = copy.deepcopy(COMPOSE)
    broken["services"]["web"]["helthcheck"] = broken["services"]["web"].pop("healthcheck")
    broken["services"]["redis"]["ports"] = "6379"
    assert len(list(_validator().iter_errors(broken))) == 2


def test_every_service_has_an_image_and_a_health_check():
    for name, service in SERVICES.items():
        assert "image" in service, name  # ours also name the image they build
        check = service.get("healthcheck") or {}
        if check.get("disable"):
            assert service.get("restart") == "no", f"{name}: only a one-shot service goes unchecked"
        else:
            assert check.get("test"), name
    for name, service in OURS.items():
        assert service["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}, name


def test_the_topology_is_the_cluster_s():
    roles = {name: service["command"][0] for name, service in OURS.items()}
    assert sorted(n for n, r in roles.items() if r == "rasa") == ["rasa-1", "rasa-2"]
    assert sorted(n for n, r in roles.items() if r == "actions") == ["actions-1", "actions-2"]
    assert {"web", "telegram", "migrate"} <= set(roles)
    assert SERVICES["loadbalancer"]["image"].startswith("haproxy:")
    assert SERVICES["postgres"]["image"].startswith("postgres:") and SERVICES["redis"]["image"].startswith("redis:")
    for name in ("rasa-1", "actions-1", "web"):
        assert OURS[name].get("restart") == "unless-stopped", name


def _environment(service: dict) -> dict:
    return service.get("environment") or {}


PACKAGES = ("language", "knowledge", "tracking", "actions", "rasa_extensions", "apps")


@functools.lru_cache(maxsize=1)
def _code() -> str:
    """The project's code that runs in the containers, and the entry point."""
    sources = [path for package in PACKAGES for path in (ROOT / package).rglob("*.py")]
    return "\n".join(path.read_text(encoding="utf-8") for path in [*sources, DEPLOY / "entrypoint.sh"])


def _read_by_the_code(name: str) -> bool:
    if name.startswith("SANIC_"):  # Sanic reads every SANIC_* variable into its app's config itself
        return True
    return name in _code()


def _documented() -> str:
    return "\n".join((ROOT / name).read_text(encoding="utf-8") for name in ("README.md", ".env.example"))


def _referenced() -> set:
    return set(INTERPOLATION.findall((DEPLOY / "compose.yaml").read_text(encoding="utf-8")))


def test_every_variable_our_services_get_is_read_by_the_code_and_documented():
    documented = _documented()
    names = {name for service in OURS.values() for name in _environment(service)}
    assert "TRACKING_DB_URL" in names and "RASA_REST_TOKEN" in names
    for name in sorted(names):
        assert _read_by_the_code(name), f"{name} is set in compose.yaml but nothing reads it"
        assert f"`{name}`" in documented or f"\n{name}=" in documented, f"{name} is not documented"


def test_every_variable_compose_reads_is_in_its_env_example_and_documented():
    example = (DEPLOY / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^([A-Z_][A-Z0-9_]*)=", example, re.MULTILINE))
    documented = _documented()
    assert _referenced() <= listed, _referenced() - listed
    for name in sorted(_referenced() - THIRD_PARTY):
        assert f"`{name}`" in documented or f"\n{name}=" in documented, f"{name} is not documented"
    assert "POSTGRES_PASSWORD" in documented


def test_no_secret_is_written_in_the_deployment_files():
    for name, service in SERVICES.items():
        for key, value in _environment(service).items():
            if SECRET_NAME.search(key):
                assert re.fullmatch(r"\$\{[A-Z_][A-Z0-9_]*(:[-?][^}]*)?\}", str(value)), f"{name}: {key}={value}"
    for key in ("TRACKING_DB_URL", "RATE_LIMIT_STORAGE"):  # URLs that carry a password
        for service in SERVICES.values():
            value = _environment(service).get(key)
            if value and urlsplit(value.replace("${", "").replace("}", "")).password is not None:
                assert re.search(r":\$\{[A-Z_]+(:\?[^}]*)?\}@", value), value
    example = (DEPLOY / ".env.example").read_text(encoding="utf-8")
    for line in example.splitlines():
        key, _, value = line.partition("=")
        if SECRET_NAME.search(key) and not line.startswith("#"):
            assert value == "", f"deploy/.env.example gives {key} a value"
    long_random = re.compile(r"\b[0-9a-fA-F]{32,}\b|[A-Za-z0-9+/_-]{40,}")
    for path in DEPLOY.iterdir():
        if path.is_file() and path.suffix != ".json":
            assert not long_random.search(path.read_text(encoding="utf-8")), path.name


def test_secrets_compose_needs_are_required_not_defaulted():
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    for name in ("POSTGRES_PASSWORD", "REDIS_PASSWORD", "ACTION_SERVER_TOKEN", "RASA_ERASURE_TOKEN", "RASA_REST_TOKEN",
                 "VERIFICATION_SECRET", "TRACKING_ENCRYPTION_KEYS", "TRACKING_LOOKUP_KEY", "METRICS_TOKEN", "WIDGET_CONVERSATION_KEY"):
        uses = re.findall(r"\$\{" + name + r"([^}]*)\}", text)
        assert uses and all(use.startswith(":?") for use in uses), name


def test_the_image_runs_as_its_own_user_on_python_3_10_slim():
    assert re.search(r"^FROM python:3\.10-slim\s*$", DOCKERFILE, re.MULTILINE)
    users = re.findall(r"^USER\s+(\S+)", DOCKERFILE, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*CMD \[\"python\", \"deploy/healthcheck.py\"\]", DOCKERFILE, re.MULTILINE)
    assert "-c constraints.txt" in DOCKERFILE  # the pinned set
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8").split()
    for needed in ("data", "domain.yml", "config.yml", "credentials.yml", "endpoints.yml", "migrations", "alembic.ini",
                   "deploy", "actions", "apps", "tracking", "knowledge", "language", "rasa_extensions"):
        assert needed not in ignored and (ROOT / needed).exists(), needed


def _entrypoint_roles() -> set:
    return set(re.findall(r"^\s+([a-z]+)\)$", ENTRYPOINT, re.MULTILINE))


def test_the_entry_point_runs_modules_that_exist_for_every_role_compose_uses():
    entry = json.loads(re.search(r"^ENTRYPOINT (\[.*\])$", DOCKERFILE, re.MULTILINE).group(1))
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", DOCKERFILE, re.MULTILINE).group(1))
    assert entry == ["deploy/entrypoint.sh"] and os.access(DEPLOY / "entrypoint.sh", os.X_OK)
    roles = _entrypoint_roles()
    assert cmd[0] in roles and {s["command"][0] for s in OURS.values()} <= roles
    modules = re.findall(r"python -m ([\w.]+)", ENTRYPOINT)
    assert {"rasa_extensions.launcher", "actions.server", "apps.web", "apps.telegram", "tracking"} <= set(modules)
    for module in modules:
        assert importlib.util.find_spec(module) is not None, module
    for service in OURS.values():
        for word in service["healthcheck"].get("test", [])[1:3]:
            if word.endswith(".py"):
                assert (ROOT / word).is_file(), word


def test_the_entry_point_refuses_an_unknown_role_and_migrates(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TRACKING_DB_URL": f"sqlite:///{tmp_path / 'tracking.db'}"}
    run = [str(DEPLOY / "entrypoint.sh")]
    assert subprocess.run([*run, "nonsense"], cwd=ROOT, env=env, capture_output=True).returncode == 64
    migrated = subprocess.run([*run, "migrate"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert migrated.returncode == 0, migrated.stderr
    from tracking import config

    assert config.database_ready(env["TRACKING_DB_URL"])


def test_the_rasa_containers_endpoints_reach_the_balanced_actions_and_the_shared_redis():
    rasa = SERVICES["rasa-1"]["environment"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
           "REDIS_PASSWORD": "test-redis", "ACTION_SERVER_TOKEN": "test-token",
           **{key: str(value) for key, value in rasa.items() if "$" not in str(value)}}
    # The entry point's own command, run by the shell as in the container.
    command = re.search(r"(python -m rasa_extensions\.endpoints .*?)>", ENTRYPOINT, re.DOTALL).group(1)
    out = subprocess.run(["sh", "-c", command], cwd=ROOT, capture_output=True, text=True, env=env, check=True).stdout
    endpoints = yaml.safe_load(out)
    assert endpoints["action_endpoint"]["url"] == rasa["ACTION_URL"]
    assert endpoints["action_endpoint"]["headers"] == {"X-Action-Token": "test-token"}
    for store in ("tracker_store", "lock_store"):
        assert (endpoints[store]["type"], endpoints[store]["url"], endpoints[store]["port"]) == ("redis", "redis", 6379)
        assert endpoints[store]["password"] == "test-redis"


def _haproxy_servers() -> dict:
    """backend name -> [(server name, host, port)]"""
    backends, current = {}, None
    for line in HAPROXY.splitlines():
        words = line.split()
        if words[:1] == ["backend"]:
            current = backends.setdefault(words[1], [])
        elif words[:1] == ["server"] and current is not None:
            host, port = words[2].rsplit(":", 1)
            current.append((words[1], host, int(port)))
    return backends


def _haproxy_binds() -> set:
    return {int(line.split(":")[-1]) for line in HAPROXY.splitlines() if line.strip().startswith("bind ")}


def _own_port(service: dict) -> int:
    role_port = {"rasa": "RASA_PORT", "actions": "ACTION_PORT", "web": "WEB_PORT"}[service["command"][0]]
    return int(service["environment"][role_port])


def test_the_load_balancer_sends_to_the_ports_the_services_listen_on_and_check():
    backends = _haproxy_servers()
    assert {host for _, host, _ in backends["rasa_instances"]} == {"rasa-1", "rasa-2"}
    assert {host for _, host, _ in backends["action_servers"]} == {"actions-1", "actions-2"}
    for servers in backends.values():
        for _, host, port in servers:
            service = SERVICES[host]
            assert _own_port(service) == port, host
            checked = urlsplit(service["healthcheck"]["test"][-1])
            assert checked.port == port, host
    section = re.search(r"^backend action_servers$(.*?)(?=^\S|\Z)", HAPROXY, re.MULTILINE | re.DOTALL).group(1)
    assert "option httpchk GET /ready" in section


def test_what_points_at_the_load_balancer_uses_a_port_it_binds():
    binds = _haproxy_binds()
    published = {int(mapping.rsplit(":", 1)[1]) for mapping in SERVICES["loadbalancer"]["ports"]}
    assert published <= binds
    check = " ".join(SERVICES["loadbalancer"]["healthcheck"]["test"])
    assert int(re.search(r"/dev/tcp/127\.0\.0\.1/(\d+)", check).group(1)) in binds
    urls = [value for service in OURS.values() for value in _environment(service).values()
            if "loadbalancer:" in str(value)]
    assert urls
    for url in urls:
        assert urlsplit(url).port in binds, url


def _retry_policy(config: str) -> set:
    policy = r"^\s*((?:tune\.bufsize|option http-buffer-request|retry-on|retries|option redispatch)\b[^#\n]*)"
    return {line.strip() for line in re.findall(policy, config, re.MULTILINE)}


def test_the_load_balancer_retries_as_the_cluster_does():
    """A message whose instance died without answering goes to another, in the deployment as in `make cluster`
    (tests/e2e/test_load_balancer_retries.py shows the template's policy at work)."""
    deployed = _retry_policy(HAPROXY)
    assert "retry-on conn-failure empty-response" in deployed
    assert deployed == _retry_policy((ROOT / "devtools" / "haproxy.cfg.template").read_text(encoding="utf-8"))


def _haproxy():
    return shutil.which("haproxy") or ("/usr/sbin/haproxy" if os.access("/usr/sbin/haproxy", os.X_OK) else None)


def test_haproxy_accepts_its_configuration():
    """Debian's HAProxy (2.6; the compose file runs the 2.8 image) checks the file: the hosts only resolve
    inside compose's network, which `init-addr none` allows."""
    if _haproxy() is None:  # make test installs it first (scripts/test.sh); a bare pytest run installs it here
        installed = subprocess.run(["bash", str(ROOT / "scripts" / "apt_install.sh"), "haproxy", "haproxy"],
                                   capture_output=True, text=True)
        assert installed.returncode == 0, installed.stderr  # needs root, or `sudo apt-get install haproxy`
    haproxy = _haproxy()
    checked = subprocess.run([haproxy, "-c", "-f", str(DEPLOY / "haproxy.cfg")], capture_output=True, text=True,
                             timeout=60)
    assert checked.returncode == 0 and "[ALERT]" not in checked.stderr, checked.stderr


def test_the_settings_instances_must_agree_on_are_given_alike_to_each():
    """A conversation's lifetime is said by the actions and the relay, signed by the web app and kept by Rasa;
    the shared secrets open what the other instances wrote."""
    for name in ("CONVERSATION_TTL", "ACTION_SERVER_TOKEN", "RASA_ERASURE_TOKEN", "RASA_REST_TOKEN", "TRACKING_DB_URL",
                 "TRACKING_ENCRYPTION_KEYS", "REDIS_PASSWORD"):
        values = {str(_environment(service)[name]) for service in SERVICES.values() if name in _environment(service)}
        assert len(values) == 1, (name, values)
    given = {name for name, service in OURS.items() if "CONVERSATION_TTL" in _environment(service)}
    assert {"rasa-1", "rasa-2", "actions-1", "actions-2", "web", "telegram"} <= given


def test_the_containers_health_check_passes_on_200_only():
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Probe(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200 if self.path == "/ready" else 503)
            self.end_headers()

        def log_message(self, *_args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Probe)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        def check(url: str) -> int:
            return subprocess.run([sys.executable, str(DEPLOY / "healthcheck.py"), url], timeout=30).returncode
        assert (check(base + "/ready"), check(base + "/not-ready")) == (0, 1)
    finally:
        server.shutdown()
        server.server_close()
    assert check(base + "/ready") == 1  # nothing listens any more
