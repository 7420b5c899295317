#!/usr/bin/env python3
"""Writes the test vectors in tests/vectors/<berichttype>/{valid,invalid}/ and tests/vectors/hostile/.

Each vector NAME has NAME.json and NAME.xml with the same content (catalogue element order for
XML) and NAME.expect: the sender (`as:`), the expected HTTP status and the set of catalogue codes.
A hostile file FILE has its own FILE.expect.
Run it after changing a case; the files are what the tests read (tests/unit/api/vectors_test.cpp).
"""
import copy, json, os, shutil

HERE = os.path.dirname(os.path.abspath(__file__))
NS = "urn:x-doorstroom-gateway:gegevensdeling:v1"
EX = os.path.join(HERE, "examples")

def catalogue_codes():
    """The codes of messages.md's "Checks and their codes" table, one per line, in its order: what
    tests/unit/core/problem_codes_test.cpp holds the gateway's code table to."""
    spec = os.path.join(HERE, "..", "..", "..", "shared", "spec", "messages.md")
    if not os.path.exists(spec):
        return
    import re
    text = open(spec).read()
    table = text[text.index("## Checks and their codes"):]
    codes = []
    for line in table.splitlines():
        if line.startswith("| `"):
            codes += re.findall(r"`([a-z]+\.[a-z-]+)`", line.split("|")[1])
    with open(os.path.join(HERE, "catalogue-codes.txt"), "w") as f:
        f.write("".join(c + "\n" for c in codes))

def load(t):
    with open(os.path.join(EX, t + ".json")) as f:
        return json.load(f)

def xml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

def xml_fields(d):
    out = ""
    for k, v in d.items():
        out += f"<{k}>" + (xml_fields(v) if isinstance(v, dict) else xml_value(v)) + f"</{k}>"
    return out

def to_xml(msg):
    t = msg["berichttype"]
    s = '<?xml version="1.0" encoding="UTF-8"?>\n'
    s += f'<bericht xmlns="{NS}" berichtId="{msg["berichtId"]}" berichttype="{t}" verzondenOp="{msg["verzondenOp"]}">\n'
    for m in msg["meldingen"]:
        body = {k: v for k, v in m.items() if k != "meldingId"}
        s += f'<{t} meldingId="{m["meldingId"]}">' + xml_fields(body) + f"</{t}>\n"
    return s + "</bericht>\n"

def setp(d, path, value):
    keys = path.split("/")
    for k in keys[:-1]:
        d = d.setdefault(k, {})
    if value is None:
        d.pop(keys[-1], None)
    else:
        d[keys[-1]] = value

def write(t, kind, name, msg, sender, status, codes):
    d = os.path.join(HERE, t, kind)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name + ".json"), "w") as f:
        json.dump(msg, f, indent=2, ensure_ascii=False)
        f.write("\n")
    with open(os.path.join(d, name + ".xml"), "w") as f:
        f.write(to_xml(msg))
    with open(os.path.join(d, name + ".expect"), "w") as f:
        f.write(f"as: {sender}\nstatus: {status}\ncodes: {' '.join(sorted(codes))}\n")

def one(t, index=0, changes=(), envelope=None):
    msg = load(t)
    msg["meldingen"] = [copy.deepcopy(msg["meldingen"][index])]
    for path, value in changes:
        setp(msg["meldingen"][0], path, value)
    for k, v in (envelope or {}).items():
        msg[k] = v
    return msg

CASES = {
    "verzuimmelding": ("school-12AB", [
        ("valid", "example", load("verzuimmelding"), None, 202, []),
        ("valid", "zonder-toelichting", one("verzuimmelding", 0, [("toelichting", None)]), None, 202, []),
        ("valid", "langdurig", one("verzuimmelding", 0, [("verzuim/soort", "langdurig"), ("verzuim/van", "2026-09-01"), ("verzuim/tot", "2026-11-13"), ("verzuim/uren", None)]), None, 202, []),
        ("valid", "achttien-plus", one("verzuimmelding", 0, [("verzuim/soort", "18-plus"), ("leerling/geboortedatum", "2006-03-01"), ("verzuim/uren", None)]), None, 202, []),
        ("valid", "onderwijsnummer-luxe", one("verzuimmelding", 1), None, 202, []),
        ("valid", "lopend-langdurig", one("verzuimmelding", 0, [("verzuim/soort", "langdurig"), ("verzuim/van", "2026-09-01"), ("verzuim/tot", None), ("verzuim/uren", None)]), None, 202, []),
        ("valid", "lopend-achttien-plus", one("verzuimmelding", 0, [("verzuim/soort", "18-plus"), ("leerling/geboortedatum", "2006-03-01"), ("verzuim/tot", None), ("verzuim/uren", None)]), None, 202, []),
        ("invalid", "zestien-uur-zonder-tot", one("verzuimmelding", 0, [("verzuim/tot", None)]), None, 400, ["message.schema"]),
        ("invalid", "luxe-zonder-tot", one("verzuimmelding", 1, [("verzuim/tot", None)]), None, 400, ["message.schema"]),
        ("invalid", "lopend-langdurig-te-kort", one("verzuimmelding", 0, [("verzuim/soort", "langdurig"), ("verzuim/van", "2026-11-01"), ("verzuim/tot", None), ("verzuim/uren", None)]), None, 400, ["verzuim.threshold"]),
        ("valid", "door-duo", one("verzuimmelding", 0), "duo", 202, []),
        ("invalid", "bsn-checksum", one("verzuimmelding", 0, [("leerling/bsn", "291417773")]), None, 400, ["bsn.checksum"]),
        ("invalid", "onderwijsnummer-checksum", one("verzuimmelding", 1, [("leerling/onderwijsnummer", "101222332")]), None, 400, ["onderwijsnummer.checksum"]),
        ("invalid", "beide-identificaties", one("verzuimmelding", 0, [("leerling/onderwijsnummer", "101222331")]), None, 400, ["leerling.identifier"]),
        ("invalid", "geen-identificatie", one("verzuimmelding", 0, [("leerling/bsn", None)]), None, 400, ["leerling.identifier"]),
        ("invalid", "brin-format", one("verzuimmelding", 0, [("school/brin", "12ab")]), None, 400, ["brin.format", "scope.not-own-brin"]),
        ("invalid", "vestiging-format", one("verzuimmelding", 0, [("school/vestiging", "0")]), None, 400, ["brin.format"]),
        ("invalid", "gemeente-onbekend", one("verzuimmelding", 0, [("leerling/woongemeente", "9999")]), None, 400, ["gemeente.unknown"]),
        ("invalid", "datum-bestaat-niet", one("verzuimmelding", 0, [("verzuim/van", "2026-02-30")]), None, 400, ["date.invalid"]),
        ("invalid", "van-na-tot", one("verzuimmelding", 0, [("verzuim/van", "2026-11-14")]), None, 400, ["period.invalid"]),
        ("invalid", "tot-na-verzending", one("verzuimmelding", 0, [("verzuim/van", "2026-11-01"), ("verzuim/tot", "2026-11-24")]), None, 400, ["period.invalid"]),
        ("invalid", "te-oud", one("verzuimmelding", 0, [("leerling/geboortedatum", "2007-01-01")]), None, 400, ["subject.age-out-of-range"]),
        ("invalid", "achttien-plus-te-jong", one("verzuimmelding", 0, [("verzuim/soort", "18-plus")]), None, 400, ["subject.age-out-of-range"]),
        ("invalid", "te-weinig-uren", one("verzuimmelding", 0, [("verzuim/uren", 15)]), None, 400, ["verzuim.threshold"]),
        ("invalid", "zestien-uur-te-lang", one("verzuimmelding", 0, [("verzuim/van", "2026-09-01")]), None, 400, ["verzuim.threshold"]),
        ("invalid", "langdurig-te-kort", one("verzuimmelding", 0, [("verzuim/soort", "langdurig")]), None, 400, ["verzuim.threshold"]),
        ("invalid", "naam-niet-toegestaan", one("verzuimmelding", 0, [("leerling/naam", "Jan")]), None, 400, ["field.not-permitted"]),
        ("invalid", "toelichting-te-lang", one("verzuimmelding", 0, [("toelichting", "x" * 501)]), None, 400, ["message.schema"]),
        ("invalid", "onbekende-soort", one("verzuimmelding", 0, [("verzuim/soort", "spijbelen")]), None, 400, ["message.schema"]),
        ("invalid", "school-ontbreekt", one("verzuimmelding", 0, [("school", None)]), None, 400, ["message.schema"]),
        ("invalid", "andere-brin", one("verzuimmelding", 0), "school-34CD", 400, ["scope.not-own-brin"]),
        ("invalid", "gemeente-mag-niet", one("verzuimmelding", 0), "gemeente-0363", 403, ["sender.role-not-permitted"]),
        ("invalid", "alle-problemen", one("verzuimmelding", 0, [("leerling/bsn", "291417773"), ("school/brin", "1AB2"), ("leerling/telefoon", "0612345678")]), None, 400, ["bsn.checksum", "brin.format", "field.not-permitted", "scope.not-own-brin"]),
        ("invalid", "type-onbekend", one("verzuimmelding", 0, envelope={"berichttype": "verzuimbrief"}), None, 400, ["message.type-unknown"]),
        ("invalid", "berichtid-ongeldig", one("verzuimmelding", 0, envelope={"berichtId": "id met spaties"}), None, 400, ["message.schema"]),
        ("invalid", "verzondenop-zonder-zone", one("verzuimmelding", 0, envelope={"verzondenOp": "2026-11-23T09:15:00"}), None, 400, ["message.schema"]),
    ]),
    "vsv-melding": ("duo", [
        ("valid", "example", load("vsv-melding"), None, 202, []),
        ("valid", "eigen-school", one("vsv-melding"), "school-34CD", 202, []),
        ("invalid", "heeft-startkwalificatie", one("vsv-melding", 0, [("startkwalificatie", True)]), None, 400, ["vsv.has-startkwalificatie"]),
        ("invalid", "toelichting", one("vsv-melding", 0, [("toelichting", "x")]), None, 400, ["field.not-permitted"]),
        ("invalid", "niveau-onbekend", one("vsv-melding", 0, [("hoogsteNiveau", "hbo")]), None, 400, ["message.schema"]),
        ("invalid", "te-oud", one("vsv-melding", 0, [("leerling/geboortedatum", "1999-07-31")]), None, 400, ["subject.age-out-of-range"]),
        ("invalid", "uitschrijving-in-toekomst", one("vsv-melding", 0, [("uitschrijfdatum", "2026-12-01")]), None, 400, ["date.invalid"]),
        ("invalid", "andere-brin", one("vsv-melding"), "school-12AB", 400, ["scope.not-own-brin"]),
        ("invalid", "gemeente-mag-niet", one("vsv-melding"), "gemeente-0599", 403, ["sender.role-not-permitted"]),
    ]),
    "trajectmelding": ("gemeente-0363", [
        ("valid", "example", load("trajectmelding"), None, 202, []),
        ("valid", "afgesloten", one("trajectmelding", 0, [("status", "afgesloten"), ("afsluitreden", "startkwalificatie-behaald")]), None, 202, []),
        ("invalid", "afsluitreden-zonder-afgesloten", one("trajectmelding", 0, [("afsluitreden", "verhuisd")]), None, 400, ["field.not-permitted"]),
        ("invalid", "niet-eigen-inwoner", one("trajectmelding", 0, [("leerling/woongemeente", "0599")]), None, 400, ["scope.not-own-resident"]),
        ("invalid", "betreft-geen-id", one("trajectmelding", 0, [("betreft", "VZ-2026-0001")]), None, 400, ["message.schema"]),
        ("invalid", "te-oud", one("trajectmelding", 0, [("leerling/geboortedatum", "1999-11-24")]), None, 400, ["subject.age-out-of-range"]),
        ("invalid", "school-mag-niet", one("trajectmelding"), "school-12AB", 403, ["sender.role-not-permitted"]),
    ]),
    "vrijstelling": ("gemeente-0363", [
        ("valid", "example", load("vrijstelling"), None, 202, []),
        ("valid", "grond-5a-zonder-toelichting", one("vrijstelling", 0, [("grond", "5a")]), None, 202, []),
        ("invalid", "grond-5a-met-toelichting", one("vrijstelling", 0, [("grond", "5a"), ("toelichting", "medische verklaring")]), None, 400, ["field.not-permitted"]),
        ("invalid", "tot-voor-van", one("vrijstelling", 0, [("tot", "2026-08-01")]), None, 400, ["period.invalid"]),
        ("invalid", "te-oud", one("vrijstelling", 0, [("leerling/geboortedatum", "2008-09-01")]), None, 400, ["subject.age-out-of-range"]),
        ("invalid", "grond-onbekend", one("vrijstelling", 0, [("grond", "7")]), None, 400, ["message.schema"]),
        ("invalid", "duo-mag-niet", one("vrijstelling"), "duo", 403, ["sender.role-not-permitted"]),
    ]),
    "verhuizing": ("gemeente-0599", [
        ("valid", "example", load("verhuizing"), None, 202, []),
        ("valid", "door-duo", one("verhuizing"), "duo", 202, []),
        ("invalid", "oude-gemeente-meldt", one("verhuizing"), "gemeente-0363", 400, ["scope.not-own-resident"]),
        ("invalid", "nieuwe-gemeente-onbekend", one("verhuizing", 0, [("nieuweGemeente", "9999")]), None, 400, ["gemeente.unknown", "scope.not-own-resident"]),
        ("invalid", "woongemeente-niet-toegestaan", one("verhuizing", 0, [("leerling/woongemeente", "0599")]), None, 400, ["field.not-permitted"]),
    ]),
    "intrekking": ("school-12AB", [
        ("valid", "example", load("intrekking"), None, 202, []),
        ("invalid", "reden-onbekend", one("intrekking", 0, [("reden", "spijt")]), None, 400, ["message.schema"]),
        ("invalid", "betreft-ontbreekt", one("intrekking", 0, [("betreft", None)]), None, 400, ["message.schema"]),
        ("invalid", "coordinator-mag-niet", one("intrekking"), "coordinator-amsterdam", 403, ["sender.role-not-permitted"]),
    ]),
    "wijziging": ("school-12AB", [
        ("valid", "example", load("wijziging"), None, 202, []),
        ("valid", "door-gemeente", one("wijziging"), "gemeente-0363", 202, []),
        ("invalid", "zonder-wijzigingen", one("wijziging", 0, [("wijzigingen", None)]), None, 400, ["message.schema"]),
        ("invalid", "wijzigingen-geen-object", one("wijziging", 0, [("wijzigingen", "tot 27 november")]), None, 400, ["message.schema"]),
        ("invalid", "betreft-ontbreekt", one("wijziging", 0, [("betreft", None)]), None, 400, ["message.schema"]),
        ("invalid", "auditor-mag-niet", one("wijziging"), "auditor", 403, ["sender.role-not-permitted"]),
    ]),
    "onderwijsgebeurtenis": ("duo", [
        ("valid", "example", load("onderwijsgebeurtenis"), None, 202, []),
        ("valid", "startkwalificatie-zonder-school", one("onderwijsgebeurtenis", 0, [("gebeurtenis", "startkwalificatie-behaald"), ("school", None)]), None, 202, []),
        ("invalid", "gebeurtenis-onbekend", one("onderwijsgebeurtenis", 0, [("gebeurtenis", "diploma")]), None, 400, ["message.schema"]),
        ("invalid", "datum-in-toekomst", one("onderwijsgebeurtenis", 0, [("datum", "2026-12-01")]), None, 400, ["date.invalid"]),
        ("invalid", "te-oud", one("onderwijsgebeurtenis", 0, [("leerling/geboortedatum", "1999-11-14")]), None, 400, ["subject.age-out-of-range"]),
        ("invalid", "toelichting", one("onderwijsgebeurtenis", 0, [("toelichting", "x")]), None, 400, ["field.not-permitted"]),
        ("invalid", "school-mag-niet", one("onderwijsgebeurtenis"), "school-34CD", 403, ["sender.role-not-permitted"]),
        ("invalid", "gemeente-mag-niet", one("onderwijsgebeurtenis"), "gemeente-0599", 403, ["sender.role-not-permitted"]),
    ]),
}

def hostile():
    d = os.path.join(HERE, "hostile")
    os.makedirs(d, exist_ok=True)
    head = f'<bericht xmlns="{NS}" berichtId="H-1" berichttype="verzuimmelding" verzondenOp="2026-11-23T09:15:00+01:00">'
    rec = '<verzuimmelding meldingId="VZ-1"><toelichting>{}</toelichting></verzuimmelding>'
    laughs = '<!DOCTYPE bericht [<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "' + (f"&lol{i-1};" if i > 1 else "&lol;") * 10 + '">' for i in range(1, 10)) + "]>"
    files = {
        "xxe.xml": ('<?xml version="1.0"?><!DOCTYPE bericht [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + head + rec.format("&x;") + "</bericht>", 400, "message.malformed"),
        "xxe-parameter.xml": ('<?xml version="1.0"?><!DOCTYPE bericht [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]>' + head + rec.format("x") + "</bericht>", 400, "message.malformed"),
        "external-dtd.xml": ('<?xml version="1.0"?><!DOCTYPE bericht SYSTEM "http://127.0.0.1:9/bericht.dtd">' + head + rec.format("x") + "</bericht>", 400, "message.malformed"),
        "billion-laughs.xml": ('<?xml version="1.0"?>' + laughs + head + rec.format("&lol9;") + "</bericht>", 400, "message.malformed"),
        "quadratic-blowup.xml": ('<?xml version="1.0"?><!DOCTYPE bericht [<!ENTITY a "' + "a" * 50000 + '">]>' + head + rec.format("&a;" * 2000) + "</bericht>", 400, "message.malformed"),
        "undeclared-entity.xml": (head + rec.format("&x;") + "</bericht>", 400, "message.malformed"),
        "deep-xml.xml": (head + '<verzuimmelding meldingId="VZ-1">' + "<a>" * 100000 + "</a>" * 100000 + "</verzuimmelding></bericht>", 400, "message.malformed"),
        "huge-attribute.xml": (head.replace('berichtId="H-1"', 'berichtId="' + "A" * 200000 + '"') + rec.format("x") + "</bericht>", 400, "message.schema"),
        "huge-text.xml": (head + rec.format("x" * 200000) + "</bericht>", 400, "message.schema"),
        "deep-json.json": ('{"berichtId":"H-1","berichttype":"verzuimmelding","verzondenOp":"2026-11-23T09:15:00+01:00","meldingen":[{"a":' + "[" * 100000 + "]" * 100000 + "}]}", 400, "message.malformed"),
        "huge-string.json": ('{"berichtId":"H-1","berichttype":"verzuimmelding","verzondenOp":"2026-11-23T09:15:00+01:00","meldingen":[{"toelichting":"' + "x" * 200000 + '"}]}', 400, "message.schema"),
        "huge-key.json": ('{"' + "k" * 200000 + '":1}', 400, "message.schema"),
        "not-json.json": ("<bericht/>", 400, "message.malformed"),
        "truncated.json": ('{"berichtId":"H-1","meldingen":[{', 400, "message.malformed"),
        # Abuse resistance: shapes that were quadratic, and envelope tricks.
        "many-attributes.xml": (head + '<verzuimmelding meldingId="VZ-1"' + "".join(f' a{i}="v"' for i in range(64000)) + "/></bericht>", 400, "message.malformed"),
        "attributes-as-fields.xml": (head + '<verzuimmelding meldingId="VZ-1"' + "".join(f' a{i}="v"' for i in range(70)) + "/></bericht>", 400, "message.schema"),
        "many-elements.xml": (head + '<verzuimmelding meldingId="VZ-1">' + "<toelichting>x</toelichting>" * 200000 + "</verzuimmelding></bericht>", 400, "message.schema"),
        "namespaced-berichttype.xml": (head.replace('<bericht ', '<bericht xmlns:x="urn:x" ').replace('berichttype="verzuimmelding"', 'berichttype="vsv-melding" x:berichttype="verzuimmelding"') + rec.format("x") + "</bericht>", 400, "message.schema"),
        "array-then-garbage.json": ('[{"berichtId":"H-1"}] trailing', 400, "message.malformed"),
        "schema-fault-then-broken.json": ('{"berichtId":1,"meldingen":[{"a":}]}', 400, "message.malformed"),
    }
    for name, (text, status, code) in files.items():
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
        with open(os.path.join(d, name + ".expect"), "w") as f:
            f.write(f"as: school-12AB\nstatus: {status}\ncodes: {code}\n")
    bad = b'{"berichtId":"H-1","berichttype":"verzuimmelding","verzondenOp":"2026-11-23T09:15:00+01:00","meldingen":[{"toelichting":"\xc3\x28"}]}'
    with open(os.path.join(d, "invalid-utf8.json"), "wb") as f:
        f.write(bad)
    with open(os.path.join(d, "invalid-utf8.json.expect"), "w") as f:
        f.write("as: school-12AB\nstatus: 400\ncodes: message.malformed\n")
    with open(os.path.join(d, "invalid-utf8.xml"), "wb") as f:
        f.write(head.encode() + b'<verzuimmelding meldingId="VZ-1"><toelichting>\xc3\x28</toelichting></verzuimmelding></bericht>')
    with open(os.path.join(d, "invalid-utf8.xml.expect"), "w") as f:
        f.write("as: school-12AB\nstatus: 400\ncodes: message.malformed\n")

for t, (default_sender, cases) in CASES.items():
    shutil.rmtree(os.path.join(HERE, t), ignore_errors=True)
    for kind, name, msg, sender, status, codes in cases:
        write(t, kind, name, msg, sender or default_sender, status, codes)
shutil.rmtree(os.path.join(HERE, "hostile"), ignore_errors=True)
hostile()
catalogue_codes()
