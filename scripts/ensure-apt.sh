#!/usr/bin/env bash
# Install Debian packages only when missing. Each argument is PACKAGE:CHECK, where CHECK is a command on
# PATH or an absolute file path that exists once the package is installed.
set -euo pipefail
missing=()
for spec in "$@"; do
  pkg=${spec%%:*}
  check=${spec#*:}
  if [[ $check == /* ]]; then [[ -e $check ]] && continue; else command -v "$check" >/dev/null 2>&1 && continue; fi
  missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
if [[ $(id -u) -eq 0 ]]; then sudo=(); elif command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
  echo "cxmap: please install these Debian packages first: ${missing[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "cxmap: please install these packages with your system's package manager: ${missing[*]}" >&2
  exit 1
fi
echo "Installing ${missing[*]} (Debian packages)..."
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
