#!/usr/bin/env python3
"""An outsider's verifier of the gateway's C2SP checkpoints and their witness cosignatures,
written from the specifications (C2SP signed-note, tlog-checkpoint, tlog-cosignature, RFC 9162)
and independent of the gateway's code: Python's standard library for parsing and hashing, the
openssl command for Ed25519.

  tlog_verify.py checkpoint FILE LOG-KEY.pem [WITNESS-NAME WITNESS-KEY.pem]...
      checks the log's signature and every named witness's cosignature; prints "SIZE ROOT-HEX"
  tlog_verify.py root ENTRIES.json SIZE
      the RFC 9162 root (hex) over the first SIZE entries of GET /v1/audit/entries (its "entry" strings)
Exit 0 when everything verifies, 1 with the reason on stderr otherwise.
"""
import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile


def die(why):
    print("NOT VERIFIED: " + why, file=sys.stderr)
    sys.exit(1)


def raw_key(pem_file):
    der = subprocess.run(["openssl", "pkey", "-pubin", "-in", pem_file, "-outform", "DER"], capture_output=True, check=True).stdout
    return der[-32:]  # an Ed25519 SubjectPublicKeyInfo ends with the 32-byte key


def ed25519_ok(pem_file, message, signature):
    with tempfile.TemporaryDirectory() as d:
        m, s = os.path.join(d, "m"), os.path.join(d, "s")
        open(m, "wb").write(message)
        open(s, "wb").write(signature)
        r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pem_file, "-rawin", "-in", m, "-sigfile", s],
                           capture_output=True)
        return r.returncode == 0 and b"Verified Successfully" in r.stdout


def key_hash(name, kind, raw):
    return hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + raw).digest()[:4]


def checkpoint(path, log_key, witnesses):
    data = open(path, "rb").read()
    text, sep, sigs = data.partition(b"\n\n")
    if not sep or not text:
        die("no blank line between the note text and its signatures")
    text += b"\n"
    lines = text.decode().split("\n")[:-1]
    if len(lines) < 3:
        die("a checkpoint has origin, size and root")
    origin, size, root = lines[0], int(lines[1]), base64.b64decode(lines[2], validate=True)
    if str(size) != lines[1] or len(root) != 32:
        die("size or root malformed")
    found = {}
    for line in sigs.decode().split("\n"):
        if not line:
            continue
        if not line.startswith("\u2014 "):
            die("a signature line starts with an em dash: " + line)
        name, blob = line[2:].split(" ")
        found.setdefault(name, []).append(base64.b64decode(blob, validate=True))
    raw = raw_key(log_key)
    if not any(b[:4] == key_hash(origin, 1, raw) and ed25519_ok(log_key, text, b[4:]) for b in found.get(origin, [])):
        die("no valid signature of the log key under the origin " + origin)
    for name, pem in witnesses:
        wraw = raw_key(pem)
        ok = False
        for b in found.get(name, []):
            if len(b) != 76 or b[:4] != key_hash(name, 4, wraw):
                continue
            t = int.from_bytes(b[4:12], "big")
            ok = ok or ed25519_ok(pem, b"cosignature/v1\ntime %d\n" % t + text, b[12:])
        if not ok:
            die("no valid cosignature of witness " + name)
    print(size, root.hex())


def mth(leaves):
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(leaves[:k]) + mth(leaves[k:])).digest()


def root(path, size):
    rows = json.load(open(path))[:size]
    if len(rows) != size:
        die("fewer entries than the size")
    leaves = [hashlib.sha256(b"\x00" + r["entry"].encode()).digest() for r in rows]
    print(mth(leaves).hex() if leaves else hashlib.sha256(b"").hexdigest())


if sys.argv[1] == "checkpoint":
    rest = sys.argv[4:]
    checkpoint(sys.argv[2], sys.argv[3], list(zip(rest[0::2], rest[1::2])))
elif sys.argv[1] == "root":
    root(sys.argv[2], int(sys.argv[3]))
else:
    die("usage: see the docstring")
