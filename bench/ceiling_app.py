"""The ceiling for bench/visits.py: bare Flask + psycopg doing the same INSERT as a visit POST,
with no auth, validation, rules or ORM. Served by gunicorn with the same settings."""

import json
import os
import threading
import uuid
from datetime import UTC, datetime

import psycopg
from flask import Flask, request

app = Flask(__name__)
_local = threading.local()
DSN = os.environ["CEILING_DSN"]
SQL = """INSERT INTO visits (id, cadre_id, household_id, pairing_id, visited_at, received_at,
 kind, direct, diary, card_scanned, flags, flag_late_entry, flag_far_from_village,
 flag_duplicate_suspect, flag_night_time, flag_too_many_today, created_by, body_hash,
 updated_at, version)
 VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, false, '[]', false, false, false, false, false,
 %s, '', %s, 1)"""


def _conn():
    if getattr(_local, "conn", None) is None:
        _local.conn = psycopg.connect(DSN, autocommit=True)
    return _local.conn


@app.post("/visit")
def visit():
    body = request.get_json()
    now = datetime.now(UTC)
    _conn().execute(SQL, (str(uuid.UUID(body["id"])), body["cadre_id"], body["household_id"],
                          body["pairing_id"], datetime.fromisoformat(body["visited_at"]), now,
                          body["kind"], body["kind"] != "phone", body.get("diary"),
                          body["created_by"], now))
    return json.dumps({"id": body["id"]}), 201, {"Content-Type": "application/json"}
