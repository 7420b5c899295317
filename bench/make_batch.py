#!/usr/bin/env python3
"""Writes a DUO batch of N valid records (JSON or XML) for the batch scenarios.

usage: make_batch.py N json|xml OUT [verzuimmelding|vsv-melding|onderwijsgebeurtenis]
Pupils get distinct valid BSNs (11-proef), live in the dev region table's gemeenten and are
reported by school 12AB; the content is deterministic for a given N. The same N gives the same
pupils in every type: an onderwijsgebeurtenis batch closes the vsv-meldingen of a vsv batch
(P3-onderwijsgebeurtenis).
"""
import sys

NS = "urn:x-doorstroom-gateway:gegevensdeling:v1"
GEMEENTEN = ["0363", "0384", "0599", "0606", "0518", "0344", "0014"]
NIVEAUS = ["geen", "vo-onderbouw", "mbo-1", "vmbo"]
SENT = {"verzuimmelding": "2026-11-23T02:00:00+01:00", "vsv-melding": "2026-11-01T02:00:00+01:00",
        "onderwijsgebeurtenis": "2026-11-20T02:00:00+01:00"}


def bsns():
    n = 100000000
    while True:
        n += 1
        s = f"{n:09d}"
        total = sum(int(s[i]) * (9 - i) for i in range(8)) - int(s[8])
        if total % 11 == 0:
            yield s


def fields(kind, i):
    """The record's fields after leerling, as (name, value) pairs; a value may be a nested list."""
    if kind == "verzuimmelding":
        return [("school", [("brin", "12AB"), ("vestiging", "00")]),
                ("verzuim", [("soort", "16-uur"), ("van", "2026-10-26"), ("tot", "2026-11-13"), ("uren", 16 + i % 20)])]
    if kind == "vsv-melding":
        return [("school", [("brin", "12AB"), ("vestiging", "00")]), ("uitschrijfdatum", "2026-08-01"),
                ("hoogsteNiveau", NIVEAUS[i % len(NIVEAUS)]), ("startkwalificatie", False)]
    return [("gebeurtenis", "herinschrijving" if i % 2 == 0 else "startkwalificatie-behaald"), ("datum", "2026-11-15"),
            ("school", [("brin", "12AB"), ("vestiging", "00")])]


def as_json(pairs):
    def value(v):
        if isinstance(v, list):
            return as_json(v)
        if isinstance(v, bool):
            return "true" if v else "false"
        return str(v) if isinstance(v, int) else '"%s"' % v
    return "{" + ",".join('"%s":%s' % (k, value(v)) for k, v in pairs) + "}"


def as_xml(pairs):
    def value(v):
        if isinstance(v, list):
            return as_xml(v)
        if isinstance(v, bool):
            return "true" if v else "false"
        return str(v)
    return "".join("<%s>%s</%s>" % (k, value(v), k) for k, v in pairs)


def main():
    count, fmt, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    kind = sys.argv[4] if len(sys.argv) > 4 else "verzuimmelding"
    prefix = {"verzuimmelding": "M", "vsv-melding": "VSV", "onderwijsgebeurtenis": "OG"}[kind]
    gen = bsns()
    with open(out, "w") as f:
        bericht = f"DUO-BATCH-{count}-{fmt}" if kind == "verzuimmelding" else f"DUO-{prefix}-BATCH-{count}-{fmt}"
        if fmt == "json":
            f.write('{"berichtId":"%s","berichttype":"%s","verzondenOp":"%s","meldingen":[\n' % (bericht, kind, SENT[kind]))
        else:
            f.write('<?xml version="1.0" encoding="UTF-8"?>\n<bericht xmlns="%s" berichtId="%s" berichttype="%s" verzondenOp="%s">\n'
                    % (NS, bericht, kind, SENT[kind]))
        for i in range(count):
            bsn = next(gen)
            g = GEMEENTEN[i % len(GEMEENTEN)]
            birth = f"{2010 + i % 6}-{1 + i % 12:02d}-{1 + i % 28:02d}" if kind == "verzuimmelding" else f"{2005 + i % 4}-{1 + i % 12:02d}-{1 + i % 28:02d}"
            leerling = [("bsn", bsn), ("geboortedatum", birth), ("woongemeente", g)]
            if fmt == "json":
                f.write(('' if i == 0 else ',\n') + as_json([("meldingId", f"{prefix}-{i}"), ("leerling", leerling)] + fields(kind, i)))
            else:
                f.write('<%s meldingId="%s-%d">%s</%s>\n' % (kind, prefix, i, as_xml([("leerling", leerling)] + fields(kind, i)), kind))
        f.write("]}\n" if fmt == "json" else "</bericht>\n")


main()
