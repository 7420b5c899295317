#!/usr/bin/env python3
"""Writes a DUO batch of N valid verzuimmeldingen (JSON or XML) for the batch scenario (P3).

usage: make_batch.py N json|xml OUT
Pupils get distinct valid BSNs (11-proef), live in the dev region table's gemeenten and are
reported by school 12AB; the content is deterministic for a given N.
"""
import sys

NS = "urn:x-doorstroom-gateway:gegevensdeling:v1"
GEMEENTEN = ["0363", "0384", "0599", "0606", "0518", "0344", "0014"]

def bsns():
    n = 100000000
    while True:
        n += 1
        s = f"{n:09d}"
        total = sum(int(s[i]) * (9 - i) for i in range(8)) - int(s[8])
        if total % 11 == 0:
            yield s

def main():
    count, fmt, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    gen = bsns()
    with open(out, "w") as f:
        head = dict(id=f"DUO-BATCH-{count}-{fmt}", sent="2026-11-23T02:00:00+01:00")
        if fmt == "json":
            f.write('{"berichtId":"%(id)s","berichttype":"verzuimmelding","verzondenOp":"%(sent)s","meldingen":[\n' % head)
        else:
            f.write('<?xml version="1.0" encoding="UTF-8"?>\n<bericht xmlns="%s" berichtId="%s" berichttype="verzuimmelding" verzondenOp="%s">\n'
                    % (NS, head["id"], head["sent"]))
        for i in range(count):
            bsn = next(gen)
            g = GEMEENTEN[i % len(GEMEENTEN)]
            birth = f"{2010 + i % 6}-{1 + i % 12:02d}-{1 + i % 28:02d}"
            if fmt == "json":
                f.write(('' if i == 0 else ',\n') +
                        '{"meldingId":"M-%d","leerling":{"bsn":"%s","geboortedatum":"%s","woongemeente":"%s"},'
                        '"school":{"brin":"12AB","vestiging":"00"},"verzuim":{"soort":"16-uur","van":"2026-10-26","tot":"2026-11-13","uren":%d}}'
                        % (i, bsn, birth, g, 16 + i % 20))
            else:
                f.write('<verzuimmelding meldingId="M-%d"><leerling><bsn>%s</bsn><geboortedatum>%s</geboortedatum><woongemeente>%s</woongemeente></leerling>'
                        '<school><brin>12AB</brin><vestiging>00</vestiging></school><verzuim><soort>16-uur</soort><van>2026-10-26</van>'
                        '<tot>2026-11-13</tot><uren>%d</uren></verzuim></verzuimmelding>\n' % (i, bsn, birth, g, 16 + i % 20))
        f.write("]}\n" if fmt == "json" else "</bericht>\n")

main()
