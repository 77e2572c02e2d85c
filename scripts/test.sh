#!/usr/bin/env bash
# The project's test command: installs missing test dependencies, checks the installers (build the app image and
# .deb, lint, install, upgrade and purge the .deb, pull through the installed engine), then runs the whole suite. Extra arguments go to Maven
# (e.g. ./scripts/test.sh -Dtest='RuleValidator*'); CACHALOT_SKIP_DIST=1 skips the installer check.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-test-deps.sh
if [ "${CACHALOT_SKIP_DIST:-0}" != 1 ] && [ "$(uname -s)" = Linux ]; then
  ./installer/test-dist.sh
fi
exec mvn -B -ntp verify "$@"
