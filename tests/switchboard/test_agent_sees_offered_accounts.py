"""An agent sees, through the API, only the accounts of the calls the switchboard offered to
them and that they hold (offered, answering, wrapping up): before the offer and after the call,
those accounts do not exist for them, and another agent never sees them."""

from __future__ import annotations

from board_world import CLAIRE, MESSAGE_ANSWERS
from sqlalchemy import Engine
from stream_world import Server, next_of, serving


def _status(server: Server, user: str, method: str, path: str, body: object = None) -> int:
    headers = {"Authorization": f"Bearer {server.tokens[user]}"}
    return server.client.request(method, path, headers=headers, json=body).status_code


def _sees_martin(server: Server, user: str) -> tuple[int, int, int]:
    pop = {"to": CLAIRE, "caller": "+33612345678"}
    return (
        _status(server, user, "GET", "/api/v1/accounts/martin"),
        _status(server, user, "GET", "/api/v1/accounts/martin/people/claire"),
        _status(server, user, "POST", "/api/v1/screen-pop", pop),
    )


def test_an_agent_sees_the_account_of_the_call_offered_to_them_while_they_hold_it(
    seeded: Engine,
) -> None:
    with serving(seeded) as server:
        alice, _ = server.connect("alice_user")
        alice.send_json({"type": "ready"})
        next_of(alice, "reply")
        assert _sees_martin(server, "alice_user") == (404, 404, 404)  # no call: nothing

        server.on_loop(lambda: server.telephony.inbound("c1", "+33612345678", CLAIRE))
        offer = next_of(alice, "offer")
        assert _sees_martin(server, "alice_user") == (200, 200, 200)
        assert _sees_martin(server, "bob_user") == (404, 404, 404)  # not offered to bob
        # an agent reads; changing the account's data is not theirs
        status = {"state": "away", "until": None}
        path = "/api/v1/accounts/martin/people/claire/status"
        assert _status(server, "alice_user", "PUT", path, status) == 404

        alice.send_json({"type": "accept", "call": "c1", "token": offer["token"], "id": "a"})
        assert next_of(alice, "reply")["did"] == "accepted"
        assert _sees_martin(server, "alice_user") == (200, 200, 200)  # answering it
        alice.send_json({"type": "finish", "call": "c1", "answers": MESSAGE_ANSWERS, "id": "f"})
        assert next_of(alice, "reply")["did"] == "saved"
        assert _sees_martin(server, "alice_user") == (404, 404, 404)  # the call is over
        alice.close()
