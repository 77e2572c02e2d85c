#!/usr/bin/env bash
# The project's test command: installs missing test dependencies, then runs the whole suite.
# Extra arguments go to Maven (e.g. ./scripts/test.sh -Dtest='RuleValidator*').
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-test-deps.sh
exec mvn -B -ntp verify "$@"
