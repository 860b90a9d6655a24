# Shared by the ci/ scripts: repository root, tool versions, and helpers.
# shellcheck shell=bash
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Pinned tools (exact versions: the module proxy's @latest is not trusted).
GOTESTSUM_VERSION=v1.13.0
GO_MIN_MINOR=26 # go.work says go 1.26.0

TOOLS_BIN="$ROOT/.cache/bin"
export PATH="/usr/local/go/bin:$TOOLS_BIN:$PATH"

log() { printf '==> [%ss] %s\n' "$SECONDS" "$*" >&2; }
die() { printf 'ci: %s\n' "$*" >&2; exit 1; }

# modules prints the directory of every module in go.work.
modules() { go list -m -f '{{.Dir}}'; }

# module_patterns prints "<module path>/..." for every module in go.work.
module_patterns() { go list -m -f '{{.Path}}/...'; }
