"""Calendars, call records, search, imports and exports through the API."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

from api_world import NOW, World

from accueil.services.calls import CallRecord, record_call

ALPHA = "/api/v1/accounts/alpha"
CALENDAR = f"{ALPHA}/people/claire/calendar"
ICS = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//test//EN\r
BEGIN:VEVENT\r
UID:1@test\r
DTSTART:20300101T090000Z\r
DTEND:20300101T100000Z\r
SUMMARY:Audience\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_a_calendar_file_is_checked_whole_and_a_feed_is_set_and_refreshed(world: World) -> None:
    claire = world.client("claire")
    assert claire.get(CALENDAR).json()["source"] == "none"
    bad = claire.put(f"{CALENDAR}/file", files={"file": ("c.ics", b"<html>no</html>")})
    assert bad.status_code == 422 and bad.json()["code"] == "calendar_unreadable", bad.text
    assert [e["path"] for e in bad.json()["errors"]] == ["file"]
    assert claire.get(CALENDAR).json()["source"] == "none"
    good = claire.put(f"{CALENDAR}/file", files={"file": ("c.ics", ICS, "text/calendar")})
    assert good.status_code == 200, good.text
    assert good.json()["source"] == "upload" and good.json()["fetched_at"]
    stale = claire.put(
        f"{CALENDAR}/feed", json={"url": "webcal://127.0.0.1:9/x.ics"}, headers={"If-Match": '"0"'}
    )
    assert stale.status_code == 412
    feed = claire.put(
        f"{CALENDAR}/feed",
        json={"url": "webcal://127.0.0.1:9/x.ics"},
        headers={"If-Match": good.headers["etag"]},
    )
    assert feed.json()["source"] == "feed" and feed.json()["url"] == "https://127.0.0.1:9/x.ics"
    # nothing listens on port 9: the refresh is answered, the feed flagged, the last copy kept
    refreshed = claire.post(f"{CALENDAR}/refresh")
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["failing"] and refreshed.json()["failures"] == 1
    assert refreshed.json()["fetched_at"] == good.json()["fetched_at"]
    not_url = claire.put(f"{CALENDAR}/feed", json={"url": "ftp://x"})
    assert not_url.status_code == 422
    assert [e["path"] for e in not_url.json()["errors"]] == ["url"]
    assert claire.get(CALENDAR).json()["url"] == "https://127.0.0.1:9/x.ics"  # unchanged


def test_call_records_page_filter_and_show_the_message(world: World) -> None:
    admin = world.client("alpha_admin")
    first = admin.get(f"{ALPHA}/calls").json()
    assert [c["caller"] for c in first["items"]] == ["+33611111111"]
    assert first["items"][0]["person"] == "claire"
    assert first["items"][0]["person_name"] == "Claire Fontaine"
    one = admin.get(f"{ALPHA}/calls/{first['items'][0]['id']}")
    assert one.status_code == 200 and one.json()["agent"] == "alice"
    typed = admin.get(f"{ALPHA}/calls", params={"caller": "06 11 11 11 11"}).json()
    assert len(typed["items"]) == 1
    assert admin.get(f"{ALPHA}/calls", params={"caller": "06 00 00 00 00"}).json()["items"] == []
    bad = admin.get(f"{ALPHA}/calls", params={"caller": "not a number"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "query.caller"
    assert admin.get(f"{ALPHA}/calls", params={"cursor": "nonsense"}).status_code == 422
    claire = world.client("claire")
    mine = claire.get(f"{ALPHA}/people/claire/calls").json()["items"]
    assert len(mine) == 1
    assert claire.get(f"{ALPHA}/calls").status_code == 404  # the account's calls: not hers
    assert world.client("root").get("/api/v1/accounts/bravo/calls/999999").status_code == 404


def test_call_records_come_in_pages_newest_first(world: World) -> None:
    with world.runtime.unit() as session:
        for minutes in range(1, 6):
            at = NOW - timedelta(minutes=minutes)
            record_call(session, "alpha", CallRecord("+3361000000" + str(minutes), "", at))
    admin = world.client("alpha_admin")
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = admin.get(f"{ALPHA}/calls", params=params).json()
        seen += [c["started_at"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 6 and seen == sorted(seen, reverse=True)
    since = (NOW - timedelta(minutes=2, seconds=30)).isoformat()
    recent = admin.get(f"{ALPHA}/calls", params={"since": since}).json()["items"]
    assert len(recent) == 3


def test_search_finds_people_as_heard_within_what_one_sees(world: World) -> None:
    admin = world.client("alpha_admin")
    hits = admin.get(f"{ALPHA}/search", params={"q": "madame fontaine"}).json()
    assert hits[0]["key"] == "claire" and hits[0]["kind"] == "person"
    assert admin.get("/api/v1/search", params={"q": "bruno"}).status_code == 403
    across = world.client("sup").get("/api/v1/search", params={"q": "plomberie bravo"}).json()
    assert across and across[0]["account"] == "bravo"
    assert admin.get(f"{ALPHA}/search", params={"q": ""}).status_code == 422


PEOPLE = b"""people:
  - {account: alpha, key: marc, first_name: Marc, last_name: Petit}
"""
BAD = b"""people:
  - {account: alpha, key: marc, first_name: Marc, last_name: Petit, group: nogroup}
  - {account: alpha, key: lea, first_name: Lea, last_name: Roux, mobile: "not a number"}
"""


def test_an_import_dry_runs_then_commits_and_refuses_bad_lines_with_their_place(
    world: World,
) -> None:
    root = world.client("root")
    files = {"files": ("people.yaml", PEOPLE, "application/yaml")}
    dry = root.post("/api/v1/imports", params={"dry_run": True}, files=files)
    assert dry.status_code == 200, dry.text
    assert dry.json()["dry_run"] and dry.json()["created"] == 1
    assert root.get(f"{ALPHA}/people/marc").status_code == 404
    done = root.post("/api/v1/imports", files=files)
    assert done.json()["summary"] == ["people: 1 created"]
    assert root.get(f"{ALPHA}/people/marc").json()["last_name"] == "Petit"
    again = root.post("/api/v1/imports", files=files).json()
    assert again["created"] == 0 and again["unchanged"] >= 1
    bad = root.post("/api/v1/imports", files={"files": ("bad.yaml", BAD)})
    assert bad.status_code == 422, bad.text
    problems = bad.json()["errors"]
    assert {(p["file"], p["line"]) for p in problems} == {("bad.yaml", 2), ("bad.yaml", 3)}
    assert all(p["field"] and p["reason"] for p in problems), problems
    assert root.get(f"{ALPHA}/people/lea").status_code == 404
    wrong = root.post("/api/v1/imports", files={"files": ("people.txt", PEOPLE)})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["path"] == "files[0]"
    assert world.client("alpha_admin").post("/api/v1/imports", files=files).status_code == 403


def test_the_export_gives_the_operators_files_back(world: World) -> None:
    sup = world.client("sup")
    yaml = sup.get("/api/v1/export")
    assert yaml.status_code == 200 and yaml.headers["content-type"].startswith("application/yaml")
    assert "Cabinet Alpha" in yaml.text and "Bravo Plomberie" in yaml.text
    packed = sup.get("/api/v1/export", params={"format": "csv"})
    names = zipfile.ZipFile(io.BytesIO(packed.content)).namelist()
    assert "people.csv" in names and "operator.yaml" in names
    assert world.client("alpha_admin").get("/api/v1/export").status_code == 403
    # what was exported imports again and changes nothing
    again = world.client("root").post(
        "/api/v1/imports", files={"files": ("export.yaml", yaml.content)}
    )
    assert again.status_code == 200, again.text
    assert again.json()["created"] == again.json()["changed"] == 0


def test_an_import_sent_again_with_its_idempotency_key_answers_its_first_report(
    world: World,
) -> None:
    root = world.client("root")
    files = {"files": ("people.yaml", PEOPLE, "application/yaml")}
    key = {"Idempotency-Key": "import-marc"}
    first = root.post("/api/v1/imports", files=files, headers=key)
    assert first.status_code == 200 and first.json()["created"] == 1, first.text
    # marc is renamed meanwhile: the retry must not put his old name back
    renamed = PEOPLE.replace(b"Petit", b"Grand")
    assert root.post("/api/v1/imports", files={"files": ("p.yaml", renamed)}).status_code == 200
    again = root.post("/api/v1/imports", files=files, headers=key)
    assert again.status_code == 200 and again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert root.get(f"{ALPHA}/people/marc").json()["last_name"] == "Grand"
    # the same key with other files or options: refused, nothing imported
    other = root.post("/api/v1/imports", files={"files": ("p.yaml", PEOPLE)}, headers=key)
    assert (
        other.status_code == 409 and other.json()["errors"][0]["path"] == "header.Idempotency-Key"
    )
    pruned = root.post("/api/v1/imports", params={"prune": True}, files=files, headers=key)
    assert pruned.status_code == 409
    assert root.get(f"{ALPHA}/people/marc").json()["last_name"] == "Grand"
    # a dry run is not kept: the key still serves the real import after it
    fresh = {"Idempotency-Key": "import-2"}
    dry = root.post("/api/v1/imports", params={"dry_run": True}, files=files, headers=fresh)
    assert dry.json()["dry_run"] and "idempotent-replayed" not in dry.headers
    real = root.post("/api/v1/imports", files=files, headers=fresh)
    assert not real.json()["dry_run"] and real.json()["changed"] == 1, real.text
