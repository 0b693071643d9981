#!/usr/bin/env bash
# Puts the Apache Kafka broker's runtime jars (from Maven Central, per ./pom.xml) in infra/kafka/lib.
# Skips the download when lib/ already holds a complete copy for the current pom.xml.
# Usage: bash infra/kafka/fetch.sh        (from anywhere)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LIB="$HERE/lib"
STAMP_FILE="$LIB/.complete"

missing=()
command -v java >/dev/null 2>&1 || missing+=("java (a JDK or JRE 17+)")
command -v mvn >/dev/null 2>&1 || missing+=("mvn (Apache Maven 3.8+)")
if ((${#missing[@]} > 0)); then
  {
    echo "infra/kafka/fetch.sh: missing on PATH: $(IFS=,; echo "${missing[*]}" | sed 's/,/, /g')."
    echo "The local Kafka broker runs from Maven Central jars and needs both."
    echo "On Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless maven"
  } >&2
  exit 1
fi

java_major="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')"
if [[ -n "$java_major" && "${java_major%%.*}" =~ ^[0-9]+$ && "${java_major%%.*}" -lt 17 ]]; then
  echo "infra/kafka/fetch.sh: java $java_major found; Kafka 4.x needs Java 17 or newer." >&2
  exit 1
fi

stamp="$(sha256sum "$HERE/pom.xml" | cut -d' ' -f1)"
if [[ -f "$STAMP_FILE" && "$(cat "$STAMP_FILE")" == "$stamp" ]]; then
  exit 0
fi

echo "infra/kafka/fetch.sh: copying the broker's jars into $LIB (first run downloads ~45 MB into ~/.m2)"
rm -rf "$LIB"
# The output directory must be absolute: Maven resolves a relative one against the pom's folder.
# Maven 3.8 prints colour resets even with -q -B: strip them, show what is left.
strip_colours() { sed -e $'s/\x1b\\[[0-9;]*m//g' -e '/^[[:space:]]*$/d'; }
if ! mvn_out="$(mvn -q -B -Dstyle.color=never -f "$HERE/pom.xml" dependency:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$LIB" 2>&1)"; then
  printf '%s\n' "$mvn_out" | strip_colours >&2
  echo "infra/kafka/fetch.sh: mvn dependency:copy-dependencies failed (is Maven Central reachable?)" >&2
  exit 1
fi
printf '%s\n' "$mvn_out" | strip_colours

if ! compgen -G "$LIB/kafka_2.13-*.jar" >/dev/null || ! compgen -G "$LIB/log4j-slf4j-impl-*.jar" >/dev/null; then
  echo "infra/kafka/fetch.sh: Maven finished but $LIB lacks the broker or logging jars." >&2
  exit 1
fi
echo "$stamp" >"$STAMP_FILE"
echo "infra/kafka/fetch.sh: $(find "$LIB" -name '*.jar' | wc -l) jars in $LIB"
