"""The account's employee policy over the API: the client admin sets it (versions, ETag,
audited); an employee's own save beyond it is refused with each rule path and policy item,
nothing saved; the client admin and the operator are not limited by it (SQLite, PostgreSQL)."""

from __future__ import annotations

from api_world import World

POLICY = "/api/v1/accounts/alpha/employee-policy"
CLAIRE = "/api/v1/accounts/alpha/people/claire"
STRICT = {"treatments": ["connect", "message"], "mobile": False, "max_ring_seconds": 30}
MOBILE = {
    "rules": [
        {"name": "office", "then": {"type": "message"}},
        {
            "name": "family to my mobile",
            "when": {"personal_vip": True},
            "then": {
                "type": "connect",
                "devices": [{"device": "mobile", "timeout": 40}],
                "no_answer": {"type": "reject"},
            },
        },
    ]
}
LAYER = "name: claire\ngreetings: {fr: {office_hours: 'Bonjour, ici Claire'}}\n"


def test_an_employees_save_beyond_the_policy_is_refused_naming_rule_and_item(
    world: World,
) -> None:
    admin, claire = world.client("alpha_admin"), world.client("claire")
    saved = admin.put(POLICY, json={**STRICT, "block": False})
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == 1 and saved.json()["saved_by"] == "alpha_admin"
    refused = claire.put(f"{CLAIRE}/rules", json=MOBILE)
    assert refused.status_code == 403 and refused.json()["code"] == "outside_policy"
    assert [(e["path"], e["policy"]) for e in refused.json()["errors"]] == [
        ("rules[1].then.devices[0].device", "mobile"),
        ("rules[1].then.devices", "max_ring_seconds"),
        ("rules[1].then.no_answer", "block"),
    ]
    assert claire.get(f"{CLAIRE}/rules").json()["version"] == 0  # nothing saved
    within = {"rules": [{"name": "office", "then": {"type": "message"}}]}
    assert claire.put(f"{CLAIRE}/rules", json=within).status_code == 200
    # her client admin (and the operator's staff) are not limited by it
    assert admin.put(f"{CLAIRE}/rules", json=MOBILE).status_code == 200
    assert world.client("sup").put(f"{CLAIRE}/rules", json=MOBILE).status_code == 200


def test_a_policy_without_greeting_keeps_the_employees_script_layer(world: World) -> None:
    admin, claire = world.client("alpha_admin"), world.client("claire")
    admin.put(POLICY, json={"greeting": False})
    refused = claire.put("/api/v1/accounts/alpha/scripts/person:claire", json={"source": LAYER})
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["policy"] == "greeting"
    done = admin.put("/api/v1/accounts/alpha/scripts/person:claire", json={"source": LAYER})
    assert done.status_code != 403


def test_the_policy_is_versioned_guarded_by_etag_and_audited(world: World) -> None:
    admin = world.client("alpha_admin")
    first = admin.get(POLICY)
    assert first.json()["version"] == 0 and first.json()["treatments"] == [
        "connect",
        "answer",
        "message",
        "on_call",
    ]
    one = admin.put(POLICY, json=STRICT, headers={"If-Match": first.headers["ETag"]})
    stale = admin.put(POLICY, json={}, headers={"If-Match": first.headers["ETag"]})
    assert stale.status_code == 412 and stale.json()["current_etag"] == one.headers["ETag"]
    bad = admin.put(POLICY, json={"max_ring_seconds": 1, "treatments": ["teleport"]})
    assert bad.status_code == 422
    assert {e["path"] for e in bad.json()["errors"]} == {
        "body.max_ring_seconds",
        "body.treatments.0",
    }
    admin.put(POLICY, json={})
    assert [v["version"] for v in admin.get(f"{POLICY}/versions").json()["items"]] == [2, 1]
    rows = world.client("root").get("/api/v1/audit", params={"account": "alpha"}).json()["items"]
    assert [r["operation"] for r in rows] == ["PUT /api/v1/accounts/{account}/employee-policy"] * 2
    # an employee is held to it, and does not set it
    claire = world.client("claire")
    assert claire.put(POLICY, json={}).status_code == 404
    assert claire.get(POLICY).status_code == 404
    held = claire.get(f"{CLAIRE}/employee-policy")  # what she is held to, read-only
    assert held.status_code == 200 and held.json()["version"] == 2
