#!/usr/bin/env bash
# Obtain a real Linux tree and build the kernel's own `conf` in it (the oracle).
#
#   kconfig-data/fetch-linux.sh [VERSION] [TARBALL]
#
# VERSION defaults to 6.12. Without TARBALL the tree comes from Debian's
# linux-source-VERSION package (installed through apt when missing; needs root).
# The tree lands in kconfig-data/linux-VERSION/ (git-ignored). A second run with the
# tree and conf already in place does nothing.
set -euo pipefail

version="${1:-6.12}"
tarball="${2:-}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="$here/linux-$version"
stamp="$dest/.kconfig-sat-ready"

# The kernel's own Kconfig unit tests (scripts/kconfig/tests) run under pytest.
ensure_pytest() {
    python3 -c 'import pytest' 2>/dev/null && return 0
    echo "fetch-linux: installing pytest" >&2
    python3 -m pip install -q pytest >&2
}

# nixpkgs patches conf to print "###" whenever it waits for an answer, so that
# generate-config.pl can answer `make config` from a file. The same build, for
# the tests that compare our nixpkgs mode with it: conf-nixpkgs, from the
# objects `make` left in scripts/kconfig.
ensure_nixpkgs_conf() {
    local k="$1/scripts/kconfig"
    [[ -x "$k/conf-nixpkgs" ]] && return 0
    sed -e 's/^\([[:space:]]*\)fflush(stdout);/\1printf("###"); fflush(stdout);/' \
        "$k/conf.c" > "$k/conf-nixpkgs.c"
    gcc -O2 -I"$k" -I"$1/scripts/include" -o "$k/conf-nixpkgs" "$k/conf-nixpkgs.c" \
        "$k"/confdata.o "$k"/expr.o "$k"/lexer.lex.o "$k"/menu.o "$k"/parser.tab.o \
        "$k"/preprocess.o "$k"/symbol.o "$k"/util.o
}

if [[ -f "$stamp" && -x "$dest/scripts/kconfig/conf" ]]; then
    ensure_nixpkgs_conf "$dest"
    ensure_pytest
    echo "$dest"
    exit 0
fi

need_pkgs=()
for tool in gcc make flex bison bc xz; do
    command -v "$tool" >/dev/null 2>&1 || need_pkgs+=("$tool")
done
if [[ -z "$tarball" ]]; then
    tarball="/usr/src/linux-source-$version.tar.xz"
    [[ -f "$tarball" ]] || need_pkgs+=("linux-source-$version")
fi
if ((${#need_pkgs[@]})); then
    # Map command names to the Debian packages that provide them.
    pkgs=()
    for p in "${need_pkgs[@]}"; do
        case "$p" in
            xz) pkgs+=(xz-utils) ;;
            *) pkgs+=("$p") ;;
        esac
    done
    echo "fetch-linux: installing ${pkgs[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq "${pkgs[@]}" >&2
fi
[[ -f "$tarball" ]] || { echo "fetch-linux: no tarball at $tarball" >&2; exit 1; }

tmp="$dest.partial"
rm -rf "$tmp"
mkdir -p "$tmp"
echo "fetch-linux: extracting $tarball" >&2
tar -xf "$tarball" -C "$tmp" --strip-components=1
# Build the kconfig host programs through a config target that writes nothing:
# listnewconfig only prints, so the tree gets no .config and no include/config.
echo "fetch-linux: building scripts/kconfig/conf" >&2
make -s -C "$tmp" ARCH=x86_64 listnewconfig >/dev/null
[[ -x "$tmp/scripts/kconfig/conf" ]] || { echo "fetch-linux: conf did not build" >&2; exit 1; }
ensure_nixpkgs_conf "$tmp"
rm -rf "$dest"
mv "$tmp" "$dest"
touch "$stamp"
ensure_pytest
echo "$dest"
