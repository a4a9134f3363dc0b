#!/usr/bin/env bash
# Builds a pinned kube-apiserver from the Go module proxy into the cache and prints its path.
# A no-op (prints the cached path) when the binary is already there.
#
# k8s.io/kubernetes' own go.mod requires its staging modules (k8s.io/api, k8s.io/apiserver, ...) at
# v0.0.0 and points them at ./staging with replace directives, which only work inside its own tree,
# so `go install k8s.io/kubernetes/cmd/kube-apiserver@v1.X.Y` fails. A throw-away module that
# requires k8s.io/kubernetes v1.X.Y and replaces every staging module with its published v0.X.Y
# builds it.
set -euo pipefail

K8S_VERSION="${HOOKGUARD_K8S_VERSION:-v1.36.3}"   # pinned; native sidecars are GA since 1.33
cache="${HOOKGUARD_CACHE:-$HOME/.cache/hookguard}"
dir="$cache/kube-apiserver-$K8S_VERSION"
bin="$dir/kube-apiserver"

if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

command -v go >/dev/null 2>&1 || { echo "e2e: kube-apiserver is built with Go: install Go (or put kube-apiserver $K8S_VERSION at $bin)" >&2; exit 1; }
command -v jq >/dev/null 2>&1 || { echo "e2e: jq is needed to read k8s.io/kubernetes' go.mod (apt-get install -y jq)" >&2; exit 1; }

staging_version="v0.${K8S_VERSION#v1.}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

# The machine has 2 cores and other suites may be running: keep the compiler to two jobs.
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod" GOMAXPROCS="${GOMAXPROCS:-2}" GOTOOLCHAIN="${GOTOOLCHAIN:-local}"

echo "e2e: building kube-apiserver $K8S_VERSION into $dir (first run only; 5 to 15 minutes on 2 cores)" >&2
go mod init hookguard.local/kube-apiserver-build >/dev/null 2>&1

upstream_mod="$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | jq -r .GoMod)"
[ -f "$upstream_mod" ] || { echo "e2e: could not download k8s.io/kubernetes@$K8S_VERSION" >&2; exit 1; }
upstream_json="$(go mod edit -json "$upstream_mod")"

edits=(-require "k8s.io/kubernetes@$K8S_VERSION")
# Every replace that points into ./staging becomes the published module at the matching v0.X.Y.
while read -r module; do
  edits+=(-replace "$module=$module@$staging_version")
done < <(jq -r '.Replace[]? | select(.New.Path | startswith("./staging/")) | .Old.Path' <<<"$upstream_json")
# Keep the GODEBUG defaults Kubernetes builds its binaries with.
while read -r setting; do
  [ -n "$setting" ] && edits+=(-godebug "$setting")
done < <(jq -r '.Godebug[]? | "\(.Key)=\(.Value)"' <<<"$upstream_json")
go_directive="$(jq -r '.Go' <<<"$upstream_json")"
edits+=(-go "$go_directive")
go mod edit "${edits[@]}"

go get "k8s.io/kubernetes/cmd/kube-apiserver@$K8S_VERSION" >&2

minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

mkdir -p "$dir"
go build -p 2 -trimpath -ldflags "$ldflags" -o "$dir/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver
mv "$dir/kube-apiserver.tmp" "$bin"
echo "e2e: built $("$bin" --version)" >&2
echo "$bin"
