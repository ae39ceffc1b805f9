#!/bin/sh
# Makes a throwaway PKI for trying the runner mesh: a CA (ca.crt, ca.key) and
# EC P-256 certificates for node-a, node-b, node-c and admin (CN = the name),
# each usable as a TLS server and client certificate. For tests and examples
# only: a real deployment's CA key does not sit next to the node keys.
#
#   examples/mesh/make-certs.sh [--force] [DIR]    # DIR defaults to certs/ next to this script
#
# Refuses to replace existing files unless --force (a new CA invalidates every
# certificate the old one issued); does nothing if all files are already there.
set -eu

names="node-a node-b node-c admin"
ca_days=3650
leaf_days=365

usage() {
  sed -n '2,10s/^# \{0,1\}//p' "$0"
}

die() {
  echo "make-certs.sh: $*" >&2
  exit 1
}

force=0
dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --force) force=1 ;;
    -h|--help) usage; exit 0 ;;
    -*) usage >&2; die "unknown option $1" ;;
    *) [ -z "$dir" ] || die "one directory only (got $dir and $1)"; dir=$1 ;;
  esac
  shift
done
if [ -z "$dir" ]; then
  dir="$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)/certs"
fi

command -v openssl >/dev/null 2>&1 ||
  die "the openssl command is missing; install it (Debian: apt-get install openssl, or tools/scripts/setup.sh)"

files="ca.crt ca.key"
for n in $names; do files="$files $n.crt $n.key"; done

if [ "$force" -eq 0 ]; then
  present="" missing=""
  for f in $files; do
    if [ -e "$dir/$f" ]; then present="$present $f"; else missing="$missing $f"; fi
  done
  if [ -z "$missing" ]; then
    echo "make-certs.sh: certificates already in $dir (--force makes new ones)"
    exit 0
  fi
  [ -z "$present" ] ||
    die "$dir already has$present; rerun with --force to replace them all (this makes a new CA)"
fi

mkdir -p "$dir"
# Everything is made in a private scratch directory and moved into place at the
# end, so a failure leaves no half-made set behind.
umask 077
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

serial() {
  echo "0x$(openssl rand -hex 16)"
}

new_key() {
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null ||
    die "cannot generate an EC P-256 key"
}

# One config for the CA and every leaf; $LEAF_CN fills in the leaf's DNS name.
cat > "$tmp/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = runner example CA
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[leaf_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = IP:127.0.0.1, DNS:localhost, DNS:${ENV::LEAF_CN}
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF

new_key "$tmp/ca.key"
LEAF_CN=unused openssl req -new -x509 -config "$tmp/openssl.cnf" -extensions ca_ext \
  -key "$tmp/ca.key" -sha256 -days "$ca_days" -set_serial "$(serial)" -out "$tmp/ca.crt" ||
  die "cannot make the CA certificate"

for n in $names; do
  new_key "$tmp/$n.key"
  LEAF_CN=$n openssl req -new -config "$tmp/openssl.cnf" -key "$tmp/$n.key" -subj "/CN=$n" \
    -out "$tmp/$n.csr" || die "cannot make a certificate request for $n"
  LEAF_CN=$n openssl x509 -req -in "$tmp/$n.csr" -CA "$tmp/ca.crt" -CAkey "$tmp/ca.key" \
    -set_serial "$(serial)" -days "$leaf_days" -sha256 \
    -extfile "$tmp/openssl.cnf" -extensions leaf_ext -out "$tmp/$n.crt" 2>/dev/null ||
    die "cannot sign the certificate for $n"
  openssl verify -CAfile "$tmp/ca.crt" "$tmp/$n.crt" >/dev/null ||
    die "the certificate made for $n does not verify against the new CA"
done

for f in $files; do
  case "$f" in
    *.key) chmod 600 "$tmp/$f" ;;
    *) chmod 644 "$tmp/$f" ;;
  esac
  mv -f "$tmp/$f" "$dir/$f"
done

echo "make-certs.sh: made in $dir: ca.crt ca.key$(for n in $names; do printf ' %s.crt %s.key' "$n" "$n"; done)"
echo "  check: openssl verify -CAfile $dir/ca.crt $dir/node-a.crt"
