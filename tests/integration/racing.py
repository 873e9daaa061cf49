"""Many clerks pressing the button at once: requests released together from their threads."""

import threading

from service.auth import issue_token
from tests import factories


def race(app, token, requests) -> list[tuple]:
    """Send every (path, body) at the same moment from its own thread; return
    (status, code, body) per request, in order."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def run(i, path, body):
        client = app.test_client()
        barrier.wait()
        response = client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})
        results[i] = (response.status_code, (response.json or {}).get("code"), response.json)

    threads = [threading.Thread(target=run, args=(i, p, b)) for i, (p, b) in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def admin_token(app, session) -> str:
    """A committed county admin's token."""
    admin = factories.user(session, "county_admin")
    session.commit()
    with app.test_request_context():
        return issue_token(admin)[0]
