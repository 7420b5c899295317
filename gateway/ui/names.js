// What people read instead of codes: Dutch labels for every field of every berichttype (the
// paths of policies/sharing.json), names of berichttypen, statuses and values, gemeente and
// school names from the region table, dates as Dutch readers write them.
"use strict";

export const LABELS = {
  "leerling/bsn": "BSN",
  "leerling/onderwijsnummer": "Onderwijsnummer",
  "leerling/geboortedatum": "Geboortedatum",
  "leerling/woongemeente": "Woongemeente",
  "school/brin": "School (BRIN)",
  "school/vestiging": "Vestiging",
  "verzuim/soort": "Soort verzuim",
  "verzuim/van": "Verzuim vanaf",
  "verzuim/tot": "Verzuim tot en met",
  "verzuim/uren": "Verzuimde uren",
  "toelichting": "Toelichting",
  "uitschrijfdatum": "Uitschrijfdatum",
  "hoogsteNiveau": "Hoogst behaalde niveau",
  "startkwalificatie": "Startkwalificatie",
  "datum": "Datum",
  "status": "Status",
  "betreft": "Betreft",
  "afsluitreden": "Reden van afsluiten",
  "grond": "Grond van vrijstelling",
  "van": "Vanaf",
  "tot": "Tot en met",
  "oudeGemeente": "Oude gemeente",
  "nieuweGemeente": "Nieuwe gemeente",
  "reden": "Reden",
  "wijzigingen": "Wijzigingen",
  "gebeurtenis": "Gebeurtenis",
  "meldingId": "Meldingnummer",
};

export const BERICHTTYPEN = {
  verzuimmelding: "Verzuimmelding",
  "vsv-melding": "Vsv-melding (voortijdig schoolverlaten)",
  trajectmelding: "Trajectmelding",
  vrijstelling: "Vrijstelling",
  verhuizing: "Verhuizing",
  onderwijsgebeurtenis: "Onderwijsgebeurtenis",
  intrekking: "Intrekking",
  wijziging: "Wijziging",
};

export const STATUSSEN = {
  geregistreerd: "Geregistreerd",
  "in-behandeling": "In behandeling",
  afgesloten: "Afgesloten",
  ingetrokken: "Ingetrokken",
  "ter-kennisname": "Ter kennisname",
  verhuisd: "Verhuisd",
};

export const VALUES = {
  "verzuim/soort": { "16-uur": "16 uur of meer in 4 weken", langdurig: "Langdurig (meer dan 4 weken)", luxe: "Luxe verzuim",
    "18-plus": "18-plus verzuim", overig: "Overig verzuim" },
  hoogsteNiveau: { geen: "Geen", "vo-onderbouw": "Onderbouw vo", vmbo: "Vmbo", "havo-vwo-onderbouw": "Onderbouw havo/vwo", "mbo-1": "Mbo 1 (entree)" },
  reden: { foutief: "Foutief gemeld", dubbel: "Dubbel gemeld", overig: "Overig" },
  gebeurtenis: { herinschrijving: "Herinschrijving", "startkwalificatie-behaald": "Startkwalificatie behaald" },
};

// The catalogue's problem codes in Dutch (messages.md, "Error codes"); the gateway's own detail,
// in English, goes with it.
export const PROBLEMS = {
  "message.schema": "Dit veld ontbreekt of past niet in het bericht",
  "message.type-unknown": "Onbekend berichttype",
  "message.too-large": "Het bericht is te groot",
  "message.duplicate-id": "Dit berichtnummer is al gebruikt voor een ander bericht",
  "message.digest-mismatch": "Het bericht is onderweg veranderd",
  "sender.unknown": "Uw certificaat is niet bekend bij de gateway",
  "sender.role-not-permitted": "Uw organisatie mag dit berichttype niet sturen",
  "mandate.missing": "Er is geen machtiging om namens deze partij te sturen",
  "mandate.not-permitted": "De machtiging dekt dit niet",
  "melding.duplicate-id": "Dit kenmerk heeft u al eerder gebruikt",
  "field.not-permitted": "Dit veld is hier niet toegestaan",
  "bsn.checksum": "Dit BSN klopt niet (elfproef)",
  "onderwijsnummer.checksum": "Dit onderwijsnummer klopt niet",
  "leerling.identifier": "Geef een BSN of een onderwijsnummer, niet allebei",
  "brin.format": "BRIN of vestigingsnummer klopt niet",
  "gemeente.unknown": "Kies een bestaande gemeente",
  "date.invalid": "Vul een geldige datum in",
  "period.invalid": "De periode klopt niet (vanaf na tot en met, of na vandaag)",
  "subject.age-out-of-range": "De leeftijd van de leerling past niet bij deze melding",
  "scope.not-own-brin": "U kunt alleen melden voor uw eigen school",
  "scope.not-own-resident": "De leerling woont niet in uw gemeente",
  "scope.not-own-region": "De leerling woont niet in uw regio",
  "verzuim.threshold": "Het verzuim voldoet niet aan de voorwaarden van deze soort",
  "vsv.has-startkwalificatie": "Een leerling met een startkwalificatie is geen voortijdig schoolverlater",
  "withdrawal.not-owner": "U kunt alleen uw eigen meldingen intrekken",
  "withdrawal.unknown": "Deze melding is onbekend",
  "change.not-owner": "U kunt alleen uw eigen meldingen wijzigen",
  "change.unknown": "Deze melding is onbekend of al ingetrokken",
  "verhuizing.not-found": "Geen actieve melding van deze leerling in de oude gemeente",
};

// A problem as people read it: the Dutch text, then the gateway's detail and code.
export function problemText(p) {
  const el = document.createElement("span");
  el.append((PROBLEMS[p.code] || "Probleem") + ": ");
  const detail = document.createElement("span");
  detail.lang = "en";
  detail.textContent = p.detail || "";
  el.append(detail, " (" + (p.code || "") + ")");
  return el;
}

export const ROLLEN = { coordinator: "coördinator", auditor: "auditor", school: "school", gemeente: "gemeente (leerplicht)", duo: "DUO",
  intermediary: "intermediair" };

export const label = (path) => LABELS[path] || path;
export const typeName = (t) => BERICHTTYPEN[t] || t;
export const statusName = (s) => STATUSSEN[s] || s;

export function valueText(path, v) {
  if (v === true || v === "true") return "ja";
  if (v === false || v === "false") return "nee";
  if (VALUES[path] && VALUES[path][v]) return VALUES[path][v];
  if (typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v)) return datum(v);
  return String(v);
}

// DUO writes GEMEENTENAAM in capitals ("'S-GRAVENHAGE"); people read "'s-Gravenhage".
export function properName(name) {
  if (!name || name !== name.toUpperCase()) return name || "";
  return name.toLocaleLowerCase("nl").replace(/(^|[\s\-(])(\p{L})/gu, (m, pre, ch) => pre + ch.toLocaleUpperCase("nl"))
    .replace(/^'S-/, "'s-").replace(/^'T /, "'t ").replace(/^'s-(\p{L})/u, (m, ch) => "'s-" + ch.toLocaleUpperCase("nl"));
}

let me = { gemeenteNamen: {} };
export function setMe(m) { me = m; }

export function gemeenteNaam(code) {
  const n = me.gemeenteNamen && me.gemeenteNamen[code];
  return n ? properName(n) : "gemeente " + code;
}

export function schoolNaam(brin, vestiging) {
  const key = (brin || "") + (vestiging || "");
  const n = (me.region && me.region.scholen && me.region.scholen[key]) ||
    ((me.vestigingen || []).find((v) => me.brin === brin && v.vestiging === vestiging) || {}).name;
  return n || null;
}

// "23-11-2026" for dates, with the time for moments.
export function datum(iso) {
  if (!iso) return "";
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? iso + "T12:00:00Z" : iso);
  return isNaN(d) ? iso : d.toLocaleDateString("nl-NL", { day: "numeric", month: "long", year: "numeric" });
}

export function moment(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString("nl-NL", { day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit" });
}

// A code shown second, smaller, for those who need it.
export function withCode(name, code) {
  const el = document.createElement("span");
  el.append(name + " ");
  const c = document.createElement("span");
  c.className = "code";
  c.textContent = code;
  el.append(c);
  return el;
}
