#!/usr/bin/env bash
# Usage: package_test.sh CMAKE BUILD_DIR DOWNSTREAM_SOURCE WORK_DIR CXX TOOLS(ON|OFF)
# Installs BUILD_DIR into WORK_DIR/prefix, builds DOWNSTREAM_SOURCE against it with
# find_package(mqttws) and with `pkg-config --cflags --libs mqttws`, runs both, and checks
# the installed tree.
set -euo pipefail
cmake=$1 build=$2 downstream=$3 work=$4 cxx=$5 tools=$6

rm -rf "$work"
mkdir -p "$work"
prefix="$work/prefix"

step() {
  local log="$work/$1.log"
  shift
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    echo "package_test: failed: $*" >&2
    exit 1
  fi
}

step install "$cmake" --install "$build" --prefix "$prefix"
# lib or lib64, as GNUInstallDirs decides.
for f in include/mqttws/client.hpp include/mqttws/session.hpp include/mqttws/file_store.hpp \
         'lib*/libmqttws_core.a' 'lib*/libmqttws_client.a' \
         'lib*/cmake/mqttws/mqttwsConfig.cmake' 'lib*/cmake/mqttws/mqttwsConfigVersion.cmake' \
         'lib*/cmake/mqttws/mqttwsTargets.cmake' 'lib*/pkgconfig/mqttws.pc' \
         include/mqttws/version.hpp; do
  compgen -G "$prefix/$f" >/dev/null || { echo "package_test: $f is not installed" >&2; exit 1; }
done

# Only the installed prefix may provide mqttws: the build tree's package registry is ignored.
step configure "$cmake" -S "$downstream" -B "$work/build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -Dmqttws_ROOT="$prefix"
grep -q "mqttws_DIR:PATH=$prefix/lib" "$work/build/CMakeCache.txt" || {
  echo "package_test: mqttws was not found in the installed prefix" >&2
  grep mqttws_DIR "$work/build/CMakeCache.txt" >&2
  exit 1
}
step build "$cmake" --build "$work/build" -j 2
output=$("$work/build/downstream")
echo "$output"
[[ $output == "downstream ok"* ]]
# The same program built with nothing but pkg-config's flags.
pc_dir=$(compgen -G "$prefix/lib*/pkgconfig" | head -n 1)
pc_flags=$(PKG_CONFIG_PATH="$pc_dir" pkg-config --cflags --libs mqttws)
step pkg_config_build "$cxx" -O1 -o "$work/downstream_pc" "$downstream/main.cpp" $pc_flags
pc_output=$("$work/downstream_pc")
[[ $pc_output == "downstream ok"* ]] || { echo "package_test: pkg-config build: $pc_output" >&2; exit 1; }
if [[ $tools == ON ]]; then
  [[ -x $prefix/bin/mqttws ]] || { echo "package_test: bin/mqttws is not installed" >&2; exit 1; }
  "$prefix/bin/mqttws" --help >/dev/null
fi
echo "package_test: ok"
