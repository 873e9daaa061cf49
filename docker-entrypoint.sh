#!/bin/sh
# Migrate first when MIGRATE_ON_START=1, then hand over to the command (gunicorn by default).
set -e
if [ "${MIGRATE_ON_START:-0}" = "1" ]; then
  flask --app service db-upgrade
fi
exec "$@"
