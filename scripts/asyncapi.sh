#!/usr/bin/env bash
# Brings docs/asyncapi.json (the event catalogue, AsyncAPI 3.0) up to date: the worker's `asyncapi` verb generates it from
# the code (src/Workers/Catalogue/EventCatalogue.cs; no database or queues needed).
# tests/Architecture.Tests/Catalogue/AsyncApiDocumentTests.cs fails while the committed file differs from what it generates.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

dotnet run --project src/Workers -c Release -- asyncapi "$PWD/docs/asyncapi.json"
git --no-pager diff --stat -- docs/asyncapi.json
