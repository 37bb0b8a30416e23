#!/usr/bin/env bash
# Build the demo workspace from examples/: check the maps, render each one, export them to Mermaid.
set -euo pipefail
demo=${1:-demo}
case "$demo" in ""|"/"|".") echo "demo: refusing to use '$demo' as the demo folder" >&2; exit 2;; esac
rm -rf "$demo"
mkdir -p "$demo/maps" "$demo/out"
cp examples/cxmap.yaml "$demo/"
cp examples/maps/*.yaml "$demo/maps/"

echo "== Checking the maps"
cxmap check "$demo"

echo "== Rendering"
for map in "$demo"/maps/*.yaml; do
  name=$(basename "$map" .yaml)
  for ext in html svg png; do
    cxmap render "$map" -o "$demo/out/$name.$ext"
  done
  cxmap export mermaid "$map" -o "$demo/out/$name.mmd"
done

cat <<EOT

The demo workspace is ready in $demo/.
Open $demo/out/b2b-onboarding.html in a browser to see the B2B SaaS journey map
(also: $demo/out/car-service-visit.html and $demo/out/library-membership.html).
Edit a map under $demo/maps/, then: .venv/bin/cxmap check $demo
EOT
