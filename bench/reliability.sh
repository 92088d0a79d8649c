#!/usr/bin/env bash
# Reliability, long form (issue 5), one command from a fresh clone:  bash bench/reliability.sh
#
# The chaos run of tests/Aws.Tests/Reliability/ChaosRunTests.cs at the long scale: 3,000 payments by 32 clients,
# 8 worker SIGKILLs, 3 immediate Postgres restarts and 100 poison messages, against a gateway with 50 % transient
# failures and 5 % lost answers. The test command runs the same scenario at the short scale. Services (Postgres,
# the SQS/SNS emulator) are started and stopped by scripts/test.sh. Writes bench/results/reliability.{md,json}.
# PAYMENTS_RELIABILITY_SEED=<n> replays a run's chaos plan.
set -euo pipefail
cd "$(dirname "$0")/.."
PAYMENTS_RELIABILITY=long PAYMENTS_RELIABILITY_REPORT="$(pwd)/bench/results/reliability" \
  exec bash scripts/test.sh --filter "FullyQualifiedName~Payments.Aws.Tests.Reliability.ChaosRunTests"
