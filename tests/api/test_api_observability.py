"""JSON logs with a request id per request, and Prometheus metrics by route and status."""

from __future__ import annotations

import io
import json

from api_world import World


def test_each_request_logs_one_json_line_with_its_request_id(
    lite: World, log_lines: io.StringIO
) -> None:
    admin = lite.client("alpha_admin")
    answer = admin.get("/api/v1/accounts/alpha/people/claire")
    lines = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    mine = [x for x in lines if x.get("request_id") == answer.headers["x-request-id"]]
    assert len(mine) == 1, lines
    line = mine[0]
    assert line["event"] == "http.request" and line["status"] == 200
    assert line["route"] == "/api/v1/accounts/{account}/people/{person}"
    assert line["account"] == "alpha" and line["ms"] >= 0
    assert "claire" not in log_lines.getvalue(), "a person's key stays out of the logs"
    assert "Fontaine" not in log_lines.getvalue()


def test_metrics_count_requests_by_route_template_and_status(lite: World) -> None:
    admin = lite.client("alpha_admin")
    for _ in range(2):
        admin.get("/api/v1/accounts/alpha")
    admin.get("/api/v1/accounts/bravo")  # 404
    lite.client().get("/nowhere/at/all")
    answer = lite.client().get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    text = answer.text
    route = 'route="/api/v1/accounts/{account}"'
    assert f'accueil_http_requests_total{{method="GET",{route},status="200"}} 2.0' in text
    assert f'accueil_http_requests_total{{method="GET",{route},status="404"}} 1.0' in text
    assert 'route="<unmatched>",status="404"' in text
    assert f'accueil_http_request_duration_seconds_count{{method="GET",{route}}} 3.0' in text
    assert "alpha" not in text and "bravo" not in text, "no account in any label"
