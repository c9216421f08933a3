# Sourced by ./mvnw, ./sahara and .ci/run (POSIX sh).
# Exports JAVA_HOME pointing at a JDK >= 21. The caller's JAVA_HOME wins when it
# is new enough; otherwise the javac on PATH; otherwise the newest JDK found in
# the usual install folders. Debian 12's default JDK is 17, too old for the
# build (release 21), which is why this exists at all.
sahara_jdk_major() {
  [ -x "$1/bin/javac" ] && [ -f "$1/release" ] || { echo 0; return; }
  v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release")
  echo "${v:-0}"
}
sahara_find_jdk() {
  sahara_min=21
  if [ -n "${JAVA_HOME-}" ] && [ "$(sahara_jdk_major "$JAVA_HOME")" -ge $sahara_min ]; then return 0; fi
  if command -v javac >/dev/null 2>&1; then
    sahara_cand=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    if [ "$(sahara_jdk_major "$sahara_cand")" -ge $sahara_min ]; then JAVA_HOME=$sahara_cand; export JAVA_HOME; return 0; fi
  fi
  sahara_best="" sahara_best_major=0
  for sahara_dir in $(ls -d /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* 2>/dev/null); do
    sahara_m=$(sahara_jdk_major "$sahara_dir")
    if [ "$sahara_m" -gt "$sahara_best_major" ]; then sahara_best=$sahara_dir sahara_best_major=$sahara_m; fi
  done
  if [ "$sahara_best_major" -ge $sahara_min ]; then JAVA_HOME=$sahara_best; export JAVA_HOME; return 0; fi
  echo "Sahara Sync needs a JDK $sahara_min or newer; none found (looked at JAVA_HOME, PATH and /usr/lib/jvm)." >&2
  echo "Install one (e.g. Temurin 25) and set JAVA_HOME." >&2
  return 1
}
sahara_find_jdk || exit 1
