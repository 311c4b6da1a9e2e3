#!/bin/sh
# Split profile: one login role and one database per app, owned by that role
# and closed to every other role, so a deployable's credentials open its own
# database only. Idempotent: it runs on every `up`.
set -eu

for app in users catalog inventory orders; do
  password=$(printenv "POSTGRES_PASSWORD_$(echo "$app" | tr '[:lower:]' '[:upper:]')")
  psql -v ON_ERROR_STOP=1 -v name="shop_$app" -v password="$password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'name')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'name') \gexec
ALTER ROLE :"name" PASSWORD :'password';
SELECT format('CREATE DATABASE %I OWNER %I', :'name', :'name')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'name') \gexec
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
SQL
done
