"""The task inbox in the console: the open tasks a cancellation leaves, done by a click."""

from __future__ import annotations

from tests.api.helpers import cancel
from tests.conftest import Api
from tests.console.helpers import csrf_of, invoiced_subscription, ok, sign_in


def test_open_tasks_and_marking_one_done(api: Api) -> None:
    sub = invoiced_subscription(api)
    cancel(api, sub, mode="on_date", date="2025-04-20")
    opened = ok(api.get("/v1/tasks", params={"status": "open"}))["data"]
    assert opened
    task = opened[0]
    sign_in(api.client)
    html = api.client.get("/console/tasks").text
    assert 'class="task"' in html and task["title"] in html
    assert f'href="/console/subscriptions/{sub["id"]}"' in html
    r = api.client.post(f"/console/tasks/{task['id']}/complete", data={"csrf": "forged"})
    assert r.status_code == 403
    r = api.client.post(
        f"/console/tasks/{task['id']}/complete",
        data={"csrf": csrf_of(html)},
        follow_redirects=True,
    )
    assert "The task is done." in r.text and r.text.count('class="task"') == len(opened) - 1
    assert ok(api.get("/v1/tasks", params={"status": "done"}))["data"][0]["id"] == task["id"]
    # Twice: refused in words, nothing changes.
    r = api.client.post(f"/console/tasks/{task['id']}/complete", data={"csrf": csrf_of(html)})
    assert r.status_code == 409 and 'id="error"' in r.text
