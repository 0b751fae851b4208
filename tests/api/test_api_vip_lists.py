"""A person's own VIP list over the API: the employee keeps it, numbers as typed and E.164
back, versions, ETag/If-Match, audited, and their rules put those callers through
(SQLite and PostgreSQL)."""

from __future__ import annotations

from api_world import World

CLAIRE = "/api/v1/accounts/alpha/people/claire"
FAMILY = {
    "contacts": [
        {"number": "06 98 76 54 32", "name": "Maman"},
        {"number": "+44 20 7946 0958", "name": "Top client, London"},
    ]
}
VIP_TO_MOBILE = {
    "rules": [
        {
            "name": "my VIPs to my mobile",
            "when": {"personal_vip": True},
            "then": {"type": "connect", "devices": [{"device": "mobile", "timeout": 20}]},
        }
    ]
}


def test_an_employee_keeps_her_own_list_and_her_rules_put_them_through(world: World) -> None:
    claire = world.client("claire")
    empty = claire.get(f"{CLAIRE}/vip")
    assert empty.status_code == 200 and empty.json()["version"] == 0
    saved = claire.put(f"{CLAIRE}/vip", json=FAMILY, headers={"If-Match": empty.headers["ETag"]})
    assert saved.status_code == 200, saved.text
    assert saved.json()["contacts"] == [
        {"number": "+33698765432", "name": "Maman"},
        {"number": "+442079460958", "name": "Top client, London"},
    ]
    assert saved.json()["version"] == 1 and saved.json()["saved_by"] == "claire"
    assert claire.put(f"{CLAIRE}/rules", json=VIP_TO_MOBILE).status_code == 200
    call = {"to": "01 40 00 00 01", "caller": "06 98 76 54 32", "at": "2031-07-01T14:10"}
    decision = claire.post("/api/v1/decide", json=call).json()["decision"]
    assert decision["rule"] == "my VIPs to my mobile"
    assert decision["targets"][0]["address"] == "+33612345678"
    assert "own VIP list (Maman)" in decision["explanation"]
    stranger = claire.post("/api/v1/decide", json={**call, "caller": "06 11 22 33 44"})
    assert stranger.json()["decision"]["rule"] == "fallback"


def test_a_stale_etag_or_a_bad_number_changes_nothing(world: World) -> None:
    claire = world.client("claire")
    first = claire.put(f"{CLAIRE}/vip", json=FAMILY)
    again = claire.put(f"{CLAIRE}/vip", json={"contacts": []})
    assert again.json()["version"] == 2
    stale = claire.put(f"{CLAIRE}/vip", json=FAMILY, headers={"If-Match": first.headers["ETag"]})
    assert stale.status_code == 412 and stale.json()["current_etag"] == again.headers["ETag"]
    bad = {"contacts": [{"number": "06 98 76 54 32"}, {"number": "12", "name": "x"}]}
    refused = claire.put(f"{CLAIRE}/vip", json=bad)
    assert refused.status_code == 422
    assert [e["path"] for e in refused.json()["errors"]] == ["contacts[1].number"]
    twice = {"contacts": [{"number": "06 98 76 54 32"}, {"number": "+33698765432"}]}
    doubled = claire.put(f"{CLAIRE}/vip", json=twice).json()["errors"][0]
    assert doubled["path"] == "contacts[1].number" and "already on the list" in doubled["reason"]
    assert claire.get(f"{CLAIRE}/vip").json()["version"] == 2
    versions = claire.get(f"{CLAIRE}/vip/versions").json()["items"]
    assert [v["version"] for v in versions] == [2, 1]
    assert versions[1]["contacts"][0]["name"] == "Maman"  # nothing deleted is lost


def test_her_client_admin_may_keep_it_and_every_change_is_audited(world: World) -> None:
    admin = world.client("alpha_admin")
    assert admin.put(f"{CLAIRE}/vip", json=FAMILY).json()["saved_by"] == "alpha_admin"
    assert world.client("claire").get(f"{CLAIRE}/vip").json()["contacts"][0]["name"] == "Maman"
    rows = world.client("root").get("/api/v1/audit", params={"account": "alpha"}).json()["items"]
    assert rows[0]["operation"] == "PUT /api/v1/accounts/{account}/people/{person}/vip"
    assert rows[0]["user"] == "alpha_admin" and rows[0]["target"] == f"{CLAIRE}/vip"


def test_the_screen_pop_names_a_caller_from_the_persons_own_list(world: World) -> None:
    world.client("claire").put(f"{CLAIRE}/vip", json=FAMILY)
    pop = world.client("sup").post(
        "/api/v1/screen-pop", json={"to": "01 40 00 00 01", "caller": "06 98 76 54 32"}
    )
    assert pop.status_code == 200, pop.text
    assert "Maman" in pop.text
