#!/usr/bin/env bash
# Brings docs/openapi.json up to date: builds the API, which writes the OpenAPI document to src/Api/obj/openapi/openapi.json
# (Microsoft.Extensions.ApiDescription.Server; no database or keys needed), and copies it over the committed one.
# tests/Api.Tests/OpenApi/OpenApiDocumentTests.cs fails while the two differ.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

dotnet build src/Api -c Release
cp src/Api/obj/openapi/openapi.json docs/openapi.json
git --no-pager diff --stat -- docs/openapi.json
