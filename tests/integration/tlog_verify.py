#!/usr/bin/env python3
"""An outsider's verifier of the gateway's C2SP checkpoints and their witness cosignatures,
written from the specifications (C2SP signed-note, tlog-checkpoint, tlog-cosignature, RFC 9162)
and independent of the gateway's code: Python's standard library for parsing and hashing, the
openssl command for Ed25519.

  tlog_verify.py checkpoint FILE LOG-KEY.pem [WITNESS-NAME WITNESS-KEY.pem]...
      checks the log's signature and every named witness's cosignature; prints "SIZE ROOT-HEX"
  tlog_verify.py root ENTRIES.json SIZE
      the RFC 9162 root (hex) over the first SIZE entries of GET /v1/audit/entries (its "entry" strings)
  tlog_verify.py inclusion PROOF.json ENTRY-FILE ROOT-HEX
      the inclusion proof (GET /v1/audit/proof/inclusion) of the entry text in ENTRY-FILE at its
      index, against that root (RFC 9162 2.1.3.2)
  tlog_verify.py consistency PROOF.json FROM-ROOT-HEX TO-ROOT-HEX
      the consistency proof (GET /v1/audit/proof/consistency) between those roots (RFC 9162 2.1.4.2)
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


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def inclusion(proof_file, entry_file, root_hex):
    p = json.load(open(proof_file))
    fn, sn = p["index"], p["size"] - 1
    r = hashlib.sha256(b"\x00" + open(entry_file, "rb").read()).digest()
    if fn > sn:
        die("index beyond the tree")
    for h in (bytes.fromhex(x) for x in p["proof"]):
        if sn == 0:
            die("inclusion proof too long")
        if fn & 1 or fn == sn:
            r = node(h, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node(r, h)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or r != bytes.fromhex(root_hex):
        die("the inclusion proof does not lead to the root")
    print("included", p["index"], p["size"])


def consistency(proof_file, from_hex, to_hex):
    p = json.load(open(proof_file))
    first, second = p["from"], p["to"]
    a, b = bytes.fromhex(from_hex), bytes.fromhex(to_hex)
    path = [bytes.fromhex(x) for x in p["proof"]]
    if first == second:
        if path or a != b:
            die("equal sizes need equal roots and an empty proof")
    else:
        if first == 0 or first > second:
            die("sizes out of order")
        if first & (first - 1) == 0:
            path = [a] + path
        if not path:
            die("empty consistency proof")
        fn, sn = first - 1, second - 1
        while fn & 1:
            fn, sn = fn >> 1, sn >> 1
        fr = sr = path[0]
        for c in path[1:]:
            if sn == 0:
                die("consistency proof too long")
            if fn & 1 or fn == sn:
                fr, sr = node(c, fr), node(c, sr)
                while not fn & 1 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
            else:
                sr = node(sr, c)
            fn, sn = fn >> 1, sn >> 1
        if sn != 0 or fr != a or sr != b:
            die("the consistency proof does not join the two roots")
    print("consistent", first, second)


if sys.argv[1] == "checkpoint":
    rest = sys.argv[4:]
    checkpoint(sys.argv[2], sys.argv[3], list(zip(rest[0::2], rest[1::2])))
elif sys.argv[1] == "root":
    root(sys.argv[2], int(sys.argv[3]))
elif sys.argv[1] == "inclusion":
    inclusion(sys.argv[2], sys.argv[3], sys.argv[4])
elif sys.argv[1] == "consistency":
    consistency(sys.argv[2], sys.argv[3], sys.argv[4])
else:
    die("usage: see the docstring")
