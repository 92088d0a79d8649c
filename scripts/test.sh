#!/usr/bin/env bash
# Builds and tests the solution against a throwaway PostgreSQL and SQS/SNS emulator.
# Extra arguments go to `dotnet test`, e.g. scripts/test.sh --filter "FullyQualifiedName~Saga".
# The last line printed is always "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."

# What this script cannot install itself, named together before anything is built.
missing=()
command -v dotnet >/dev/null || missing+=("the .NET SDK (the version in global.json) on PATH")
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=("Node.js 20 or newer with npm (the SQS/SNS emulator and the Terraform parser run on it)")
elif (($(node -p 'process.versions.node.split(".")[0]') < 20)); then
  missing+=("Node.js 20 or newer (found $(node --version)) for the SQS/SNS emulator")
fi
command -v terraform >/dev/null || missing+=("terraform 1.x on PATH (tests/Infra.Tests runs terraform fmt -check)")
if ((${#missing[@]} > 0)); then
  echo "scripts/test.sh needs, and cannot install by itself:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 1
fi
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
# Lingering MSBuild nodes keep the caller's stdout open, which hangs CI log capture.
export MSBUILDDISABLENODEREUSE=1

tmp=$(mktemp -d /tmp/payments-test.XXXXXX)
# The postgres user must be able to reach $tmp/pg.
chmod 711 "$tmp"
cleanup() {
  [[ -d $tmp ]] || return 0
  bash scripts/sqs-emulator.sh stop "$tmp" || true
  bash scripts/postgres.sh stop "$tmp/pg" || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(bash scripts/postgres.sh start "$tmp/pg" --fast)
export PAYMENTS_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres"
sqs_port=$(bash scripts/sqs-emulator.sh start "$tmp")
export PAYMENTS_TEST_SQS="http://127.0.0.1:$sqs_port"

# The chaos run (tests/Aws.Tests/Reliability) writes its invariants table here; it is printed after the tests.
export PAYMENTS_RELIABILITY_REPORT=${PAYMENTS_RELIABILITY_REPORT:-$tmp/reliability}

# The sample downstream consumer (samples/PaymentEventsConsumer) restores Payments.Contracts from this folder feed, as a
# downstream team restores it from theirs. The same version is packed on every run, so the old copy leaves the feed and
# NuGet's global packages folder first: otherwise restore would keep using the contracts of an earlier run.
sample=samples/PaymentEventsConsumer/PaymentEventsConsumer.slnx
feed=.local/feed
rm -f "$feed"/Payments.Contracts.*.nupkg
global_packages=$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: //p')
if [[ -n $global_packages ]]; then rm -rf "$global_packages/payments.contracts"; fi

build_rc=0 test_rc=0
# The sample is built before the solution's tests: tests/Aws.Tests runs it against the emulator.
dotnet build Payments.sln -c Release &&
  dotnet pack src/Contracts -c Release --no-build -o "$feed" &&
  dotnet build "$sample" -c Release || build_rc=$?
if [[ $build_rc -eq 0 ]]; then
  dotnet test Payments.sln -c Release --no-build \
    --logger "trx;LogFilePrefix=r" --logger "console;verbosity=normal" \
    --results-directory "$tmp/results" "$@" || test_rc=$?
  # The sample's own harness tests, counted with the others below.
  dotnet test "$sample" -c Release --no-build \
    --logger "trx;LogFilePrefix=sample" --logger "console;verbosity=normal" \
    --results-directory "$tmp/results" "$@" || test_rc=$?
fi

trx_files=()
for f in "$tmp/results"/*.trx; do [[ -f $f ]] && trx_files+=("$f"); done

# Sums <Counters .../> over the trx files given: "passed failed skipped".
# error/timeout/aborted are counted as failed because trx reports them apart from "failed".
summarize() {
  [[ $# -gt 0 ]] || { echo "0 0 0"; return; }
  cat "$@" | tr '\r\n' '  ' | grep -o '<Counters [^>]*>' |
    awk '{
      for (i = 2; i <= NF; i++) {
        split($i, kv, "="); v = kv[2]; gsub(/[^0-9]/, "", v)
        c[kv[1]] += v
      }
    } END {
      print c["passed"] + 0, c["failed"] + c["error"] + c["timeout"] + c["aborted"], c["notExecuted"] + 0
    }'
}
# Names each failed test in the trx files given with the first lines of its message, so the end of a long log says
# what failed.
list_failures() {
  perl -0777 -ne '
    while (/<UnitTestResult\b([^>]*?)(?:\/>|>(.*?)<\/UnitTestResult>)/sg) {
      my ($attrs, $body) = ($1, $2 // "");
      next unless $attrs =~ /outcome="(Failed|Error|Timeout|Aborted)"/;
      my $outcome = $1;
      my ($name) = $attrs =~ /testName="([^"]*)"/;
      my ($message) = $body =~ /<Message>(.*?)<\/Message>/s;
      $message //= "";
      for ($name, $message) { s/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&apos;/\x27/g; s/&#xD;//g; s/&#xA;/\n/g; s/&amp;/&/g; }
      my @lines = grep { /\S/ } split /\r?\n/, $message;
      print "FAILED ($outcome): $name\n";
      print "    $_\n" for @lines[0 .. ($#lines < 5 ? $#lines : 5)];
    }' "$@"
}

read -r passed failed skipped < <(summarize "${trx_files[@]}")
trx_count=${#trx_files[@]}
[[ -f $PAYMENTS_RELIABILITY_REPORT.md ]] && { echo; cat "$PAYMENTS_RELIABILITY_REPORT.md"; echo; }
[[ $failed -gt 0 ]] && { echo; list_failures "${trx_files[@]}"; echo; }

cleanup
trap - EXIT

ok=1
if [[ $build_rc -ne 0 ]]; then echo "FAIL: dotnet build exited with $build_rc" >&2; ok=0
elif [[ $test_rc -ne 0 ]]; then echo "FAIL: dotnet test exited with $test_rc" >&2; ok=0; fi
if [[ $failed -gt 0 ]]; then echo "FAIL: $failed test(s) failed" >&2; ok=0; fi
if [[ $trx_count -eq 0 ]]; then echo "FAIL: no trx results were produced" >&2; ok=0
elif [[ $passed -eq 0 ]]; then echo "FAIL: no test passed" >&2; ok=0; fi
if [[ ${CI:-} == true && $skipped -gt 0 ]]; then echo "FAIL: $skipped test(s) skipped, which CI does not allow" >&2; ok=0; fi

echo "$passed passed, $failed failed, $skipped skipped"
[[ $ok -eq 1 ]]
