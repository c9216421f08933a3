# Sourced by ./mvnw, ./sahara and .ci/run (POSIX sh).
# Exports JAVA_HOME pointing at a JDK >= 21 (and sets sahara_major to its major version). The caller's JAVA_HOME wins when it
# is new enough; otherwise the javac on PATH; otherwise the newest JDK found in
# the usual install folders. Debian 12's default JDK is 17, too old for the
# build (release 21), which is why this exists at all.
# The major version of the JDK at $1 (0 if it is none), read from its release file with
# shell builtins only: every fork+exec costs ~10 ms on small VMs, and `./sahara` runs this
# before every command.
sahara_jdk_major() {
  sahara_major_of "$1"
  echo "$sahara_major"
}
sahara_major_of() {
  sahara_major=0
  [ -x "$1/bin/javac" ] && [ -f "$1/release" ] || return 0
  while IFS= read -r sahara_line || [ -n "$sahara_line" ]; do
    case $sahara_line in
      JAVA_VERSION=\"*)
        sahara_major=${sahara_line#JAVA_VERSION=\"}
        sahara_major=${sahara_major%%[!0-9]*}
        break ;;
    esac
  done < "$1/release"
  sahara_major=${sahara_major:-0}
}
sahara_find_jdk() {
  sahara_min=21
  if [ -n "${JAVA_HOME-}" ]; then
    sahara_major_of "$JAVA_HOME"
    if [ "$sahara_major" -ge $sahara_min ]; then return 0; fi
  fi
  if command -v javac >/dev/null 2>&1; then
    sahara_cand=$(readlink -f "$(command -v javac)")
    sahara_cand=${sahara_cand%/*}
    sahara_cand=${sahara_cand%/*}
    sahara_major_of "$sahara_cand"
    if [ "$sahara_major" -ge $sahara_min ]; then JAVA_HOME=$sahara_cand; export JAVA_HOME; return 0; fi
  fi
  sahara_best="" sahara_best_major=0
  for sahara_dir in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/*; do
    [ -d "$sahara_dir" ] || continue
    sahara_major_of "$sahara_dir"
    if [ "$sahara_major" -gt "$sahara_best_major" ]; then sahara_best=$sahara_dir sahara_best_major=$sahara_major; fi
  done
  if [ "$sahara_best_major" -ge $sahara_min ]; then JAVA_HOME=$sahara_best; sahara_major=$sahara_best_major; export JAVA_HOME; return 0; fi
  echo "Sahara Sync needs a JDK $sahara_min or newer; none found (looked at JAVA_HOME, PATH and /usr/lib/jvm)." >&2
  echo "Install one (e.g. Temurin 25) and set JAVA_HOME." >&2
  return 1
}
sahara_find_jdk || exit 1
