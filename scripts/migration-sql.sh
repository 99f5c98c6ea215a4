#!/usr/bin/env bash
# Print the SQL that takes the schema of the last commit touching prisma/migrations to
# the current prisma/schema.prisma, computed by the Prisma CLI offline (WebAssembly engine,
# no database needed). Review it, add what Prisma cannot express (partial indexes), and
# save it as prisma/migrations/<yyyymmddhhmmss>_<name>/migration.sql.
set -euo pipefail
cd "$(dirname "$0")/.."
base=$(git log -1 --format=%H -- prisma/migrations 2>/dev/null || true)
if [ -z "$base" ]; then
  exec npx prisma migrate diff --from-empty --to-schema-datamodel prisma/schema.prisma --script
fi
old=$(mktemp --suffix=.prisma)
trap 'rm -f "$old"' EXIT
git show "$base:prisma/schema.prisma" > "$old"
npx prisma migrate diff --from-schema-datamodel "$old" --to-schema-datamodel prisma/schema.prisma --script
