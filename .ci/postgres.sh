#!/usr/bin/env bash
# Make sure a PostgreSQL answers on 127.0.0.1:5432 with trust auth for user postgres.
set -uo pipefail

ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || python - <<'PY'
import socket, sys
s = socket.socket()
s.settimeout(1)
sys.exit(s.connect_ex(("127.0.0.1", 5432)))
PY
}

if ready; then echo "PostgreSQL answers on 127.0.0.1:5432"; exit 0; fi

# A cluster installed from Debian's packages but not running: start it.
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  for version in $(ls /etc/postgresql); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
  done
  if ready; then echo "started the installed PostgreSQL cluster"; exit 0; fi
fi

# Nothing installed or startable: install the server and run a throwaway trust-auth cluster.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
DATA=$(mktemp -d /tmp/driftctl-ci-pg.XXXXXX)
chown postgres "$DATA"
# The server refuses to run as root: run it as the postgres user.
su postgres -s /bin/sh -c "$PGBIN/initdb -D $DATA -A trust -U postgres >/dev/null"
su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D $DATA -l $DATA/server.log -w \
  -o '-p 5432 -c listen_addresses=127.0.0.1 -k /tmp' start >/dev/null"
if ready; then echo "started a throwaway PostgreSQL in $DATA"; exit 0; fi
echo "could not start PostgreSQL" >&2
exit 1
