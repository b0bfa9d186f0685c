"""The cluster as `make cluster` starts it (scripts/cluster.sh: HAProxy before two Rasa instances and two
action servers, Redis, PostgreSQL) loses a Rasa instance, then an action server, in the middle of a
request form: the person's next message is answered with the form where it was, the request is filed
exactly once, HAProxy takes the dead instance out within seconds, and the instance, started again by
the script, rejoins.
"""
from __future__ import annotations

import pytest

from devtools.cluster import NAME, failover_organization, request_across_a_crash, running_cluster
from e2e_servers import RestClient, _test_models
from test_rights_requests import rows_for
from tracking import config

pytestmark = [pytest.mark.e2e, pytest.mark.long(minutes=1.5)]  # the file's rough duration: longest first
METADATA = {"organization": "cesi", "language": "en"}  # for the questions after the failover
OUT_WITHIN_S = 10     # "within a few seconds": a check every second, out after two failed ones
REJOIN_WITHIN_S = 300  # a restarted Rasa instance loads its model first
QUESTIONS = ["Who is the data controller?", "How long do you keep my CV?", "Can I complain to the CNIL?",
             "Who is the DPO?"]


@pytest.fixture(scope="module")
def cluster(mail):
    with running_cluster(_test_models(), env=mail.environment) as running:
        yield running
    config.dispose_engines()


def _requests_served(cluster, server: str) -> int:
    return int(cluster.stats()[server]["stot"])


def _request_across_a_crash(cluster, mail, instance: str, server: str) -> int:
    """A request form through the load balancer, `instance` killed once the name is given, so that HAProxy
    has not seen it die at the next message; filed exactly once; the instance out of HAProxy's `server`
    within seconds. The killed pid."""
    try:
        _, killed, confirmation, email = request_across_a_crash(
            cluster.url, mail, lambda: cluster.kill(instance), lambda: cluster.wait_for_state(server, "DOWN", OUT_WITHIN_S))
    except AssertionError as failure:  # with what each process logged: the cluster's folder goes with it
        raise AssertionError(f"{failure}\n{cluster.log_tails()}") from None
    rows = rows_for(cluster.tracking_db_url, email)
    assert [(row.name, row.right, row.organization) for row in rows] == [(NAME, "access", failover_organization())]
    assert rows[0].reference in confirmation
    return killed


def _answered(client: RestClient) -> None:
    for question in QUESTIONS:
        answer = client.text(question, client.new_sender(), METADATA)
        assert "Source" in answer, answer  # an answer from the policy, not the channel's apology


def test_a_rasa_instance_killed_mid_form_loses_nothing_and_rejoins_once_started_again(cluster, mail):
    killed = _request_across_a_crash(cluster, mail, "rasa-1", "rasa/rasa-1")
    served = _requests_served(cluster, "rasa/rasa-2")
    _answered(RestClient(cluster.url))
    assert _requests_served(cluster, "rasa/rasa-2") == served + len(QUESTIONS)  # all of them, none to the dead one

    cluster.wait_for_state("rasa/rasa-1", "UP", REJOIN_WITHIN_S)  # cluster.sh started it again
    assert cluster.pid("rasa-1") != killed
    served = _requests_served(cluster, "rasa/rasa-1")
    _answered(RestClient(cluster.url))
    assert _requests_served(cluster, "rasa/rasa-1") > served


def test_an_action_server_killed_mid_form_loses_nothing_and_rejoins_once_started_again(cluster, mail):
    killed = _request_across_a_crash(cluster, mail, "actions-1", "actions/actions-1")
    cluster.wait_for_state("actions/actions-1", "UP", REJOIN_WITHIN_S)
    assert cluster.pid("actions-1") != killed
    served = _requests_served(cluster, "actions/actions-1")
    _answered(RestClient(cluster.url))
    assert _requests_served(cluster, "actions/actions-1") > served
