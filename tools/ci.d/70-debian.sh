#!/usr/bin/env bash
# Debian packages: builds them from a clean copy of the tree (dpkg-buildpackage -us -uc
# -b; the tracked files and the new untracked ones, no build directories), lints them
# (lintian: any error fails), installs them, and checks what a user gets:
#   - tests/abi/consumer.c builds against libcors-dev with pkg-config only and runs;
#   - cors-eval (cors-tools) evaluates the seed guide's policy;
#   - nginx loads the module through the package's load snippet (nginx -t);
#   - Apache loads mod_cors, enabled by the package (a2enmod), with its default
#     configuration (apache2ctl -t, -M).
# The packages are purged again at the end (the machine is shared). Packages needed:
# tools/deps.d/80-debian.txt. The .debs are left in build-deb/.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
out=$root/build-deb
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
t0=$SECONDS

rm -rf "$out"
mkdir -p "$out/src/libcors"
git ls-files -z --cached --others --exclude-standard |
  tar --null -T - -cf - | tar -x -C "$out/src/libcors"
(cd "$out/src/libcors" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 ||
  { tail -60 "$out/build.log"; echo "70-debian: dpkg-buildpackage failed" >&2; exit 1; }
mv "$out"/src/*.deb "$out"/src/*.changes "$out"/src/*.buildinfo "$out"/
rm -rf "$out/src"
echo "70-debian: packages built in $((SECONDS - t0)) s"

# lintian refuses to run as root without saying so; its tags go to the log
lintian --fail-on error --tag-display-limit 0 "$out"/libcors_*.changes >"$out/lintian.log" 2>&1 ||
  { cat "$out/lintian.log"; echo "70-debian: lintian found errors" >&2; exit 1; }
echo "70-debian: lintian: $(grep -c '^[EW]:' "$out/lintian.log" || true) errors and warnings"

pkgs=(libcors0.2 libcors-dev cors-tools libnginx-mod-http-cors libapache2-mod-cors)
debs=()
for p in "${pkgs[@]}"; do debs+=("$out/${p}_"*.deb); done
purge() { $sudo apt-get -o DPkg::Lock::Timeout=300 -q -y purge "${pkgs[@]}" >/dev/null 2>&1 || true; }
trap purge EXIT
$sudo apt-get -o DPkg::Lock::Timeout=300 -q -y install --no-install-recommends "${debs[@]}" \
  >"$out/install.log" 2>&1 || { cat "$out/install.log"; exit 1; }

# the ABI consumer, with the installed header, .pc and library only
bash tests/abi/pkgconfig-consumer.sh --installed tests/abi/consumer.c

# cors-eval from the package, on the seed guide's HTTPRoute
got=$(cd tests/data && /usr/bin/cors-eval --policy seed-httproute.yaml -X OPTIONS \
  -H 'Origin: https://example.com' -H 'Access-Control-Request-Method: POST' 2>/dev/null)
for line in "HTTP/1.1 200 OK" "access-control-allow-origin: https://example.com" \
            "access-control-allow-methods: GET,POST,OPTIONS"; do
  grep -qxF -- "$line" <<<"$got" || { echo "$got"; echo "70-debian: cors-eval: no '$line'" >&2; exit 1; }
done
echo "70-debian: cors-eval answers the seed policy's preflight"

# nginx: the package enabled the module (modules-enabled/50-mod-http-cors.conf); a
# configuration that includes only that snippet and uses the module's directive
conf=$(mktemp -d "${TMPDIR:-/tmp}/libcors-deb-nginx.XXXXXX")
trap 'purge; rm -rf "$conf"' EXIT
link=/etc/nginx/modules-enabled/50-mod-http-cors.conf
[ -L "$link" ] || { echo "70-debian: the package did not enable the module ($link)" >&2; exit 1; }
cp tests/data/seed-httproute.yaml "$conf/policy.yaml"
# nginx -t binds nothing; the port is a free one all the same
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$conf/nginx.conf" <<NGX
include $link;
pid $conf/nginx.pid;
error_log $conf/error.log;
events {}
http {
    access_log off;
    server {
        listen 127.0.0.1:$port;
        location / { cors_policy $conf/policy.yaml; }
    }
}
NGX
/usr/sbin/nginx -t -c "$conf/nginx.conf" -e "$conf/error.log" 2>"$conf/nginx-t.log" ||
  { cat "$conf/nginx-t.log"; echo "70-debian: nginx -t failed" >&2; exit 1; }
grep -q "test is successful" "$conf/nginx-t.log"
echo "70-debian: nginx -t loads the packaged module: $(grep -c load_module "$link") load_module line"
# Apache: the package ran a2enmod cors; the default configuration loads it
[ -L /etc/apache2/mods-enabled/cors.load ] ||
  { echo "70-debian: the package did not enable mod_cors (a2enmod)" >&2; exit 1; }
apache2ctl -t >"$conf/apache-t.log" 2>&1 || { cat "$conf/apache-t.log"; echo "70-debian: apache2ctl -t failed" >&2; exit 1; }
apache2ctl -M 2>/dev/null | grep -q 'cors_module' ||
  { echo "70-debian: apache2ctl -M does not list cors_module" >&2; exit 1; }
echo "70-debian: Apache loads the packaged mod_cors (apache2ctl -t and -M)"
echo "70-debian: total $((SECONDS - t0)) s"
