#!/usr/bin/env bash
# Prints a dev JWT signed with .local/dev-signing-key (created by scripts/run.sh).
# Usage: scripts/dev-token.sh [user-uuid]   (a random uuid when omitted; the uuid goes to stderr)
set -euo pipefail
cd "$(dirname "$0")/.."

key_file=.local/dev-signing-key
[[ -s $key_file ]] || { echo "$key_file is missing; run scripts/run.sh once first" >&2; exit 1; }

sub=${1:-$(cat /proc/sys/kernel/random/uuid)}
echo "sub: $sub" >&2

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
Auth__SigningKey="$(cat "$key_file")" \
  dotnet run --project src/Api -c Release --no-build --no-launch-profile -- dev-token --sub "$sub"
