#!/usr/bin/env bash
# Build the demo workspace: the example maps, checked and rendered, and a realistic data set ingested.
set -euo pipefail
demo=${1:-demo}
case "$demo" in ""|"/"|".") echo "demo: refusing to use '$demo' as the demo folder" >&2; exit 2;; esac
python=${PYTHON_BIN:-python}
rm -rf "$demo"

echo "== Creating the workspace $demo/"
cxmap init "$demo"
cp examples/cxmap.yaml "$demo/cxmap.yaml"
cp examples/maps/*.yaml "$demo/maps/"

echo "== Checking the maps"
cxmap check "$demo"

echo "== Rendering"
mkdir -p "$demo/out"
for map in "$demo"/maps/*.yaml; do
  name=$(basename "$map" .yaml)
  for ext in html svg png; do
    cxmap render "$map" -o "$demo/out/$name.$ext"
  done
  cxmap export mermaid "$map" -o "$demo/out/$name.mmd"
done

echo "== Generating and ingesting a realistic data set (accounts, contacts, about 200,000 events)"
"$python" -m cxmap.synthetic "$demo/data" --events 200000 --seed 7
cxmap ingest "$demo" "$demo/data/accounts.csv" --kind accounts
cxmap ingest "$demo" "$demo/data/contacts.csv" --kind contacts
cxmap ingest "$demo" "$demo/data/events.csv"
cxmap status "$demo"

echo "== Analysing: where is the experience won and lost?"
echo "-- (the outcome, renewal against a churn notice, is set once in the map: measure: in b2b-onboarding.yaml)"
cxmap analyze "$demo" --map b2b-onboarding --quiet
cxmap analyze "$demo" --map b2b-onboarding --quiet --json > "$demo/out/findings.json"
cxmap report "$demo" --map b2b-onboarding --quiet -o "$demo/out/report.html"

asof=2025-12-31
echo "== Operating the accounts, as of $asof"
echo "-- The five worst accounts (an account is only as happy as its worst contact):"
cxmap accounts "$demo" --as-of "$asof" --worst 5
echo "-- Overdue milestones (due from each account's start):"
cxmap milestones "$demo" --map b2b-onboarding --as-of "$asof" --status overdue | tail -n 4
echo "-- Open service-recovery alerts:"
cxmap alerts "$demo" --as-of "$asof" | tail -n 4
contact=$("$python" scripts/refused_contact.py "$demo" "$asof")
echo "-- May we ask $contact for a review? (a happy contact whose colleague is suffering)"
cxmap gate "$demo" "$contact" --action review --as-of "$asof"

echo "== A demo admin for the web app"
demo_password="cxmap-demo-password"
echo "$demo_password" | cxmap user add "$demo" demo --role admin --password-stdin >/dev/null

cat <<EOT

The demo workspace is ready in $demo/.
Open in a browser:
  $demo/out/report.html          the measured map: where the experience is won and lost
  $demo/out/b2b-onboarding.html  the drawn B2B SaaS journey map
  (also $demo/out/car-service-visit.html and $demo/out/library-membership.html)
Try: .venv/bin/cxmap journeys $demo --top 10     .venv/bin/cxmap check $demo --strict

Share it in the browser:  .venv/bin/cxmap serve $demo
  then open http://127.0.0.1:8000 and sign in as demo / $demo_password
EOT
