#!/usr/bin/env python3
"""Worst cases within the limits (body 64 MiB, 100 000 records, 64 fields, values of 4 KiB, depth
16), for bench/hostile.sh: each must be judged in linear time (>= 10 MB/s on one core) and raise
the gateway's peak RSS by less than 200 MB.

usage: make_hostile.py DIR      writes one file per case, named CASE.json or CASE.xml
"""
import os
import sys

NS = "urn:x-doorstroom-gateway:gegevensdeling:v1"
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
head_json = '{"berichtId":"H-%s","berichttype":"verzuimmelding","verzondenOp":"2026-11-23T09:15:00+01:00","meldingen":['
head_xml = '<bericht xmlns="%s" berichtId="H-%%s" berichttype="verzuimmelding" verzondenOp="2026-11-23T09:15:00+01:00">' % NS
LEERLING = '"leerling":{"bsn":"291417772","geboortedatum":"2012-04-01","woongemeente":"0363"},"school":{"brin":"12AB","vestiging":"00"}'


def write(name, parts):
    with open(os.path.join(out, name), "w") as f:
        for p in parts:
            f.write(p)


def json_records(name, n, record):
    def gen():
        yield head_json % name
        for i in range(n):
            yield ("," if i else "") + record(i)
        yield "]}"
    write(name + ".json", gen())


def xml_records(name, n, record):
    def gen():
        yield head_xml % name
        for i in range(n):
            yield record(i)
        yield "</bericht>"
    write(name + ".xml", gen())


# 100 000 records of 63 fields the type does not permit: the most problems per byte.
unknown = "".join(',"x%02d":"v"' % f for f in range(63))
json_records("unknown-fields", 100000, lambda i: '{"meldingId":"M-%d"%s}' % (i, unknown))
# 100 000 records with 64 attributes each (every one a field).
attrs = "".join(' a%02d="v"' % f for f in range(63))
xml_records("attributes", 100000, lambda i: '<verzuimmelding meldingId="M-%d"%s/>' % (i, attrs))
# Elements instead of attributes, 63 per record.
elements = "".join("<x%02d>v</x%02d>" % (f, f) for f in range(63))
xml_records("elements", 75000, lambda i: '<verzuimmelding meldingId="M-%d">%s</verzuimmelding>' % (i, elements))
# Long strings: 4 KiB toelichtingen (valid records otherwise), 15 000 of them (about 62 MB).
text = "x" * 4000
json_records("long-strings", 15000, lambda i: '{"meldingId":"M-%d",%s,"verzuim":{"soort":"luxe","van":"2026-10-19","tot":"2026-10-23"},'
             '"toelichting":"%s"}' % (i, LEERLING, text))
# Many tiny records: 100 000 empty objects.
json_records("tiny-records", 100000, lambda i: "{}")
# Nesting to the depth limit with many keys per level, in every record.
nest = "".join('{"k%d":' % d for d in range(12)) + '"v"' + "}" * 12
json_records("deep-keys", 100000, lambda i: '{"meldingId":"M-%d","a":%s,"b":%s,"c":%s}' % (i, nest, nest, nest))
