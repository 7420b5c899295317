// The web UI of the gateway: the caller's own role, through the same HTTPS API, with the browser's
// client certificate. Coordinators: caseload, summary, records and their history, search by BSN.
// Auditors: the audit log, and the signed tree head verified here, in the browser (Ed25519 and the
// RFC 9162 proofs), not taken on trust. Nothing personal goes into a URL: a BSN only in a POST body.
"use strict";

const BERICHTTYPEN = ["verzuimmelding", "vsv-melding", "trajectmelding", "vrijstelling", "verhuizing", "onderwijsgebeurtenis"];
const STATUSSEN = ["geregistreerd", "in-behandeling", "afgesloten", "ter-kennisname"];
const ROLLEN = { coordinator: "coördinator", auditor: "auditor", school: "school", gemeente: "gemeente", duo: "DUO" };
const EVENTS = { status: "Status gewijzigd", moved: "Verhuisd", withdrawn: "Ingetrokken" };

let me = null;

// ---- small DOM helpers (text only: data never becomes markup) ----

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : String(c));
  return el;
}

function show(...nodes) {
  const main = document.getElementById("main");
  main.replaceChildren(...nodes);
}

function when(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString("nl-NL", { dateStyle: "short", timeStyle: "short" });
}

function hashQuery() {
  const q = location.hash.indexOf("?");
  return new URLSearchParams(q < 0 ? "" : location.hash.slice(q + 1));
}

class ApiError extends Error {
  constructor(status, problem) {
    super(problem && problem.detail ? problem.detail : "HTTP " + status);
    this.status = status;
    this.problem = problem;
  }
}

async function api(path, options = {}) {
  const res = await fetch(path, { credentials: "same-origin", cache: "no-store", ...options });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

function problemBox(e) {
  const p = e.problem || {};
  return h("div", { class: "problem", role: "alert" },
    h("strong", {}, p.title || "Fout"), " — ", e.message,
    (p.errors || []).length ? h("ul", {}, p.errors.map((x) => h("li", {}, x.code + (x.path ? " (" + x.path + ")" : "") + ": " + x.detail))) : null);
}

// ---- crypto for the auditor: what an outsider can check with the published key only ----

const enc = new TextEncoder();

function hexToBytes(hex) {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(2 * i, 2), 16);
  return out;
}

function bytesToHex(bytes) {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

function base64ToBytes(b64) {
  const s = atob(b64.replace(/\s+/g, ""));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

async function sha256(...parts) {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const all = new Uint8Array(total);
  let at = 0;
  for (const p of parts) { all.set(p, at); at += p.length; }
  return new Uint8Array(await crypto.subtle.digest("SHA-256", all));
}

const leafHash = (entry) => sha256(new Uint8Array([0]), enc.encode(entry));
const nodeHash = (l, r) => sha256(new Uint8Array([1]), l, r);
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

// RFC 9162 section 2.1.3.2.
async function verifyInclusion(index, size, leaf, proof, root) {
  if (index >= size) return false;
  let fn = index, sn = size - 1, r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      if (fn % 2 === 0) while (fn !== 0 && fn % 2 === 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
  }
  return sn === 0 && same(r, root);
}

// RFC 9162 section 2.1.4.2.
async function verifyConsistency(from, to, fromRoot, toRoot, proof) {
  if (from > to) return false;
  if (from === to) return proof.length === 0 && same(fromRoot, toRoot);
  if (from === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const p = (from & (from - 1)) === 0 ? [fromRoot, ...proof] : proof.slice();
  let fn = from - 1, sn = to - 1;
  while (fn % 2 === 1) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
  let fr = p[0], sr = p[0];
  for (let i = 1; i < p.length; i++) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = await nodeHash(p[i], fr);
      sr = await nodeHash(p[i], sr);
      if (fn % 2 === 0) while (fn !== 0 && fn % 2 === 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      sr = await nodeHash(sr, p[i]);
    }
    fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
  }
  return sn === 0 && same(fr, fromRoot) && same(sr, toRoot);
}

async function verifyHeadSignature(head, keys) {
  const key = (keys.keys || []).find((k) => k.keyId === head.keyId);
  if (!key) return { ok: false, why: "sleutel " + head.keyId + " is niet gepubliceerd" };
  const der = base64ToBytes(key.publicKey.replace(/-----[^-]+-----/g, ""));
  let pub;
  try {
    pub = await crypto.subtle.importKey("spki", der, { name: "Ed25519" }, false, ["verify"]);
  } catch (e) {
    return { ok: null, why: "deze browser kan Ed25519 niet controleren" };
  }
  const text = "doorstroom-gateway audit v1\n" + head.size + "\n" + head.root + "\n" + head.time + "\n";
  const ok = await crypto.subtle.verify({ name: "Ed25519" }, pub, base64ToBytes(head.signature), enc.encode(text));
  return { ok, why: ok ? "" : "de handtekening past niet bij de gepubliceerde sleutel" };
}

// ---- coordinator: caseload, summary, record, search ----

function summaryChart(summary) {
  const byType = new Map();
  for (const c of summary.counts) {
    const t = byType.get(c.berichttype) || { total: 0, statuses: {} };
    t.total += c.count;
    t.statuses[c.status] = (t.statuses[c.status] || 0) + c.count;
    byType.set(c.berichttype, t);
  }
  const max = Math.max(1, ...Array.from(byType.values(), (t) => t.total));
  const rows = Array.from(byType.entries()).sort((a, b) => b[1].total - a[1].total).map(([type, t]) =>
    h("div", { class: "bar-row" },
      h("span", { class: "bar-label" }, type),
      h("span", { class: "bar", "aria-hidden": "true" },
        ...STATUSSEN.filter((s) => t.statuses[s]).map((s) =>
          h("span", { class: "seg seg-" + s, title: s + ": " + t.statuses[s], style: null, "data-width": (100 * t.statuses[s] / max).toFixed(2) }))),
      h("span", { class: "bar-total" }, t.total.toLocaleString("nl-NL"))));
  const table = h("table", { class: "compact" },
    h("thead", {}, h("tr", {}, h("th", {}, "Berichttype"), h("th", {}, "Gemeente"), h("th", {}, "Status"), h("th", { class: "num" }, "Aantal"))),
    h("tbody", {}, summary.counts.map((c) => h("tr", {}, h("td", {}, c.berichttype), h("td", {}, c.gemeente), h("td", {}, c.status),
      h("td", { class: "num" }, c.count.toLocaleString("nl-NL"))))));
  const chart = h("section", { class: "card", id: "summary" },
    h("h2", {}, "Overzicht " + summary.regionName),
    rows.length ? h("div", { class: "chart" }, rows) : h("p", { class: "muted" }, "Nog geen actieve meldingen in deze regio."),
    h("div", { class: "legend" }, STATUSSEN.map((s) => h("span", {}, h("span", { class: "swatch seg-" + s }), s))),
    h("details", {}, h("summary", {}, "Aantallen per gemeente en status"), table));
  // Widths are set from script (the CSP allows no inline styles).
  for (const seg of chart.querySelectorAll(".seg")) seg.style.width = seg.dataset.width + "%";
  return chart;
}

// A verzuimmelding whose absence goes on has a van and no tot yet (messages.md, "Ongoing absence").
function lopend(r) {
  const v = r.melding && r.melding.verzuim;
  return Boolean(v && v.van && !v.tot);
}

function caseloadTable(items) {
  if (!items.length) return h("p", { class: "muted", id: "empty" }, "Geen meldingen gevonden.");
  return h("table", { id: "caseload" },
    h("thead", {}, h("tr", {}, ["Ontvangen", "Berichttype", "Gemeente", "Status", "Melding", "Afzender (OIN)"].map((t) => h("th", {}, t)))),
    h("tbody", {}, items.map((r) => h("tr", { class: "clickable", "data-id": r.id, onclick: () => { location.hash = "#/record/" + r.id; } },
      h("td", {}, when(r.receivedAt)), h("td", {}, r.berichttype), h("td", {}, r.gemeente),
      h("td", {}, h("span", { class: "status status-" + r.status }, r.status),
        lopend(r) ? h("span", { class: "badge-lopend", title: "Het verzuim duurt nog voort: nog geen einddatum" }, "lopend") : null),
      h("td", {}, h("a", { href: "#/record/" + r.id }, r.meldingId)), h("td", { class: "mono" }, r.senderOin)))));
}

async function viewCaseload() {
  const q = hashQuery();
  const filters = {};
  for (const k of ["berichttype", "gemeente", "status", "since"]) if (q.get(k)) filters[k] = q.get(k);
  const cursor = q.get("cursor");
  const params = new URLSearchParams({ ...filters, limit: "25" });
  if (cursor) params.set("cursor", cursor);
  const [summary, page] = await Promise.all([api("/v1/caseload/summary"), api("/v1/caseload?" + params)]);

  const select = (name, label, values) => h("label", {}, label,
    h("select", { name }, h("option", { value: "" }, "alle"), values.map((v) => h("option", { value: v, selected: filters[name] === v }, v))));
  const form = h("form", { class: "filters", onsubmit: (ev) => {
      ev.preventDefault();
      const f = new FormData(ev.target);
      const next = new URLSearchParams();
      for (const [k, v] of f.entries()) if (v) next.set(k, v);
      location.hash = "#/caseload" + (next.toString() ? "?" + next : "");
    } },
    select("berichttype", "Berichttype", BERICHTTYPEN),
    select("gemeente", "Gemeente", (me.region && me.region.gemeenten) || []),
    select("status", "Status", STATUSSEN),
    h("label", {}, "Ontvangen vanaf", h("input", { type: "date", name: "since", value: filters.since || "" })),
    h("button", { type: "submit" }, "Filteren"),
    h("a", { class: "button secondary", href: "#/caseload" }, "Wissen"));

  // The cursors of the pages before this one travel along, so that "Vorige" can go back ("0": the first page).
  const back = q.get("back") ? q.get("back").split(",") : [];
  const pageLink = (c, trail) => {
    const p = new URLSearchParams(filters);
    if (c && c !== "0") p.set("cursor", c);
    if (trail.length) p.set("back", trail.join(","));
    return "#/caseload?" + p;
  };
  const paging = h("div", { class: "paging" },
    cursor ? h("a", { class: "button secondary", id: "prev-page", href: pageLink(back[back.length - 1], back.slice(0, -1)) }, "← Vorige") : null,
    page.nextCursor ? h("a", { class: "button", id: "next-page", href: pageLink(page.nextCursor, [...back, cursor || "0"]) }, "Volgende →") : null);

  show(summaryChart(summary),
    h("section", { class: "card" },
      h("h2", {}, "Caseload ", h("span", { class: "muted" }, "nieuwste eerst")),
      form, caseloadTable(page.items), paging));
}

function historyList(history) {
  if (!history.length) return h("p", { class: "muted" }, "Geen wijzigingen sinds ontvangst.");
  return h("ol", { class: "timeline", id: "history" }, history.map((e) => {
    const d = e.detail || {};
    let text = EVENTS[e.event] || e.event;
    if (e.event === "status") text += " naar " + d.status;
    if (e.event === "moved") text += " van regio " + d.fromRegion + " (gemeente " + d.fromGemeente + ") naar regio " + d.toRegion + " (gemeente " + d.toGemeente + ")";
    return h("li", { class: "event event-" + e.event }, h("time", {}, when(e.time)), " ", text);
  }));
}

function flatten(obj, prefix = "") {
  const out = [];
  for (const [k, v] of Object.entries(obj || {})) {
    if (v && typeof v === "object" && !Array.isArray(v)) out.push(...flatten(v, prefix + k + "."));
    else out.push([prefix + k, Array.isArray(v) ? v.join(", ") : String(v)]);
  }
  return out;
}

async function viewRecord(id) {
  const { record: r, history } = await api("/v1/records/" + encodeURIComponent(id));
  const fields = [["Berichttype", r.berichttype], ["Status", r.status], ["Regio", r.region], ["Gemeente", r.gemeente],
    ["Ontvangen", when(r.receivedAt)], ["Afzender (OIN)", r.senderOin], ["Bericht", r.berichtId], ["Melding", r.meldingId],
    ["Grondslag", r.legalBasis], ["Doel", r.purpose], ["Beleidsversie", r.policyVersion], ["Bewaren tot", r.retentionUntil]];
  if (lopend(r)) fields.push(["Verzuim", "lopend: nog geen einddatum (de school stuurt die later met een wijziging)"]);
  show(h("p", {}, h("a", { href: "#/caseload" }, "← Terug naar de caseload")),
    h("section", { class: "card", id: "record" },
      h("h2", {}, r.berichttype + " " + r.meldingId),
      h("dl", { class: "fields" }, fields.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
      h("h3", {}, "Inhoud van de melding"),
      r.melding ? h("dl", { class: "fields" }, flatten(r.melding).map(([k, v]) => [h("dt", { class: "mono" }, k), h("dd", {}, v)]))
                : h("p", { class: "muted", id: "withdrawn" }, "Ingetrokken door de afzender: de inhoud wordt niet meer getoond."),
      h("h3", {}, "Geschiedenis"), historyList(history)));
}

function viewSearch(result) {
  const form = h("form", { class: "filters", autocomplete: "off", onsubmit: async (ev) => {
      ev.preventDefault();
      const value = new FormData(ev.target).get("nummer").trim();
      const body = value.length === 9 && !value.startsWith("10") ? { bsn: value } : /^10\d{7}$/.test(value) ? { onderwijsnummer: value } : { bsn: value };
      try {
        const found = await api("/v1/records/search", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
        viewSearch(found);
      } catch (e) { viewSearch(e); }
    } },
    h("label", {}, "BSN of onderwijsnummer", h("input", { name: "nummer", inputmode: "numeric", required: true, maxlength: "9" })),
    h("button", { type: "submit" }, "Zoeken"));
  show(h("section", { class: "card" },
    h("h2", {}, "Leerling zoeken in uw regio"),
    h("p", { class: "muted" }, "Het nummer gaat alleen in de aanvraag zelf mee, nooit in een adres; de zoekactie wordt vastgelegd."),
    form,
    result instanceof Error ? problemBox(result) : result ? caseloadTable(result.items) : null));
}

// ---- auditor: head, entries, proofs ----

async function headStatus() {
  const [head, keys] = await Promise.all([api("/v1/audit/head"), api("/v1/audit/keys")]);
  const sig = await verifyHeadSignature(head, keys);
  const lines = [];
  lines.push(h("p", { id: "head-signature", class: sig.ok ? "ok" : sig.ok === null ? "warn" : "bad" },
    sig.ok ? "✓ Handtekening geldig" : sig.ok === null ? "? Niet te controleren: " + sig.why : "✗ Handtekening ONGELDIG: " + sig.why));
  // Consistency with the last head this browser verified: the log may only have grown.
  const stored = JSON.parse(localStorage.getItem("dg.head") || "null");
  if (sig.ok && stored && stored.size <= head.size && stored.root) {
    const c = await api("/v1/audit/proof/consistency?from=" + stored.size + "&to=" + head.size);
    const ok = await verifyConsistency(stored.size, head.size, hexToBytes(stored.root), hexToBytes(head.root), c.proof.map(hexToBytes));
    lines.push(h("p", { id: "head-consistency", class: ok ? "ok" : "bad" },
      ok ? "✓ Consistent met het eerder in deze browser geziene hoofd (" + stored.size + " regels)"
         : "✗ NIET consistent met het eerder geziene hoofd (" + stored.size + " regels): het logboek is herschreven"));
    if (!ok) return { head, card: headCard(head, lines) };
  } else if (sig.ok && stored && stored.size > head.size) {
    lines.push(h("p", { id: "head-consistency", class: "bad" }, "✗ Het logboek is korter dan eerder gezien (" + stored.size + " regels)"));
    return { head, card: headCard(head, lines) };
  }
  if (sig.ok) localStorage.setItem("dg.head", JSON.stringify({ size: head.size, root: head.root }));
  return { head, card: headCard(head, lines) };
}

function headCard(head, lines) {
  return h("section", { class: "card", id: "head" },
    h("h2", {}, "Ondertekend hoofd van het auditlogboek"),
    h("dl", { class: "fields" },
      h("dt", {}, "Aantal regels"), h("dd", { id: "head-size" }, String(head.size)),
      h("dt", {}, "Wortel (SHA-256)"), h("dd", { class: "mono" }, head.root),
      h("dt", {}, "Tijd"), h("dd", {}, when(head.time)),
      h("dt", {}, "Sleutel"), h("dd", { class: "mono" }, head.keyId)),
    lines);
}

// The C2SP checkpoint with the witnesses' cosignatures (tlog-cosignature: 4-byte key hash, 8-byte
// time, signature). The gateway checked each against the witness's configured key before serving it.
async function checkpointCard() {
  const res = await fetch("/v1/audit/checkpoint", { credentials: "same-origin", cache: "no-store" });
  if (!res.ok) return h("section", { class: "card", id: "checkpoint" }, h("h2", {}, "Checkpoint en getuigen"), h("p", { class: "warn" }, "Geen checkpoint beschikbaar"));
  const text = await res.text();
  const [body, sigs = ""] = text.split("\n\n");
  const [origin, size] = body.split("\n");
  const cosigs = sigs.split("\n").filter((l) => l.startsWith("\u2014 ")).map((l) => l.slice(2).split(" "))
    .filter(([name]) => name !== origin).map(([name, b64]) => {
      const raw = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      let t = 0;
      for (let i = 4; i < 12 && raw.length >= 12; i++) t = t * 256 + raw[i];
      return { name, time: new Date(t * 1000).toISOString() };
    });
  return h("section", { class: "card", id: "checkpoint" },
    h("h2", {}, "Checkpoint en getuigen"),
    h("dl", { class: "fields" },
      h("dt", {}, "Oorsprong"), h("dd", { class: "mono" }, origin),
      h("dt", {}, "Aantal regels"), h("dd", { id: "checkpoint-size" }, size)),
    cosigs.length
      ? h("ul", { id: "cosignatures" }, cosigs.map((c) => h("li", {}, "✓ Medeondertekend door getuige ", h("strong", {}, c.name), " op " + when(c.time))))
      : h("p", { id: "cosignatures", class: "warn" }, "Nog door geen getuige medeondertekend"));
}

async function viewAudit() {
  const q = hashQuery();
  const { head, card } = await headStatus();
  const checkpoint = await checkpointCard();
  const limit = 25;
  const from = q.has("from") ? Number(q.get("from")) : Math.max(0, head.size - limit);
  const params = new URLSearchParams({ from: String(from), limit: String(limit) });
  for (const k of ["action", "party"]) if (q.get(k)) params.set(k, q.get(k));
  const entries = await api("/v1/audit/entries?" + params);

  const form = h("form", { class: "filters", onsubmit: (ev) => {
      ev.preventDefault();
      const next = new URLSearchParams();
      for (const [k, v] of new FormData(ev.target).entries()) if (v) next.set(k, v);
      location.hash = "#/audit" + (next.toString() ? "?" + next : "");
    } },
    h("label", {}, "Actie", h("input", { name: "action", value: q.get("action") || "", placeholder: "bijv. POST /v1/berichten" })),
    h("label", {}, "Partij (OIN)", h("input", { name: "party", value: q.get("party") || "", inputmode: "numeric", maxlength: "20" })),
    h("label", {}, "Vanaf regel", h("input", { name: "from", type: "number", min: "0", value: String(from) })),
    h("button", { type: "submit" }, "Tonen"));

  const rows = entries.map((row) => {
    const e = JSON.parse(row.entry);
    const check = h("span", { class: "check" });
    const detail = h("tr", { class: "detail", hidden: true }, h("td", { colspan: "7" },
      h("pre", {}, JSON.stringify(e, null, 2)),
      h("button", { type: "button", onclick: async () => {
          check.textContent = "…";
          const leaf = await leafHash(row.entry);
          if (bytesToHex(leaf) !== row.leafHash) { check.textContent = "✗ regel past niet bij zijn hash"; check.className = "check bad"; return; }
          if (row.index >= head.size) { check.textContent = "nog niet onder het hoofd"; check.className = "check warn"; return; }
          const p = await api("/v1/audit/proof/inclusion?index=" + row.index + "&size=" + head.size);
          const ok = await verifyInclusion(row.index, head.size, leaf, p.proof.map(hexToBytes), hexToBytes(head.root));
          check.textContent = ok ? "✓ opgenomen in het ondertekende hoofd" : "✗ opnamebewijs klopt niet";
          check.className = "check " + (ok ? "ok" : "bad");
        } }, "Controleer opname"), " ", check));
    const main = h("tr", { class: "clickable", onclick: () => { detail.hidden = !detail.hidden; } },
      h("td", { class: "num" }, String(row.index)), h("td", {}, when(e.time)), h("td", { class: "mono" }, e.partyOin || "—"),
      h("td", {}, e.partyRole ? ROLLEN[e.partyRole] || e.partyRole : "—"), h("td", {}, e.action),
      h("td", {}, h("span", { class: "outcome outcome-" + e.outcome }, e.outcome + " " + e.status)),
      h("td", {}, (e.subjects || []).length ? e.subjects.length + " leerling(en)" : ""));
    return [main, detail];
  });
  const older = from > 0 ? h("a", { class: "button secondary", href: "#/audit?from=" + Math.max(0, from - limit) }, "← Oudere") : null;
  const newer = from + limit < head.size ? h("a", { class: "button secondary", href: "#/audit?from=" + (from + limit) }, "Nieuwere →") : null;
  show(card, checkpoint,
    h("section", { class: "card" },
      h("h2", {}, "Auditlogboek"),
      h("p", { class: "muted" }, "Klik op een regel voor de volledige inhoud en het opnamebewijs. Leerlingen staan er alleen als pseudoniem in."),
      form,
      h("table", { id: "entries" },
        h("thead", {}, h("tr", {}, ["#", "Tijd", "Partij", "Rol", "Actie", "Uitkomst", "Over"].map((t) => h("th", {}, t)))),
        h("tbody", {}, rows)),
      h("div", { class: "paging" }, older, newer)));
}

function viewSubjectReport(result) {
  const form = h("form", { class: "filters", autocomplete: "off", onsubmit: async (ev) => {
      ev.preventDefault();
      const value = new FormData(ev.target).get("nummer").trim();
      const body = /^10\d{7}$/.test(value) ? { onderwijsnummer: value } : { bsn: value };
      try {
        viewSubjectReport(await api("/v1/audit/subject-report", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }));
      } catch (e) { viewSubjectReport(e); }
    } },
    h("label", {}, "BSN of onderwijsnummer", h("input", { name: "nummer", inputmode: "numeric", required: true, maxlength: "9" })),
    h("button", { type: "submit" }, "Inzageverzoek beantwoorden"));
  let out = null;
  if (result instanceof Error) out = problemBox(result);
  else if (result) out = h("div", {}, h("p", {}, result.entries.length + " regels over deze leerling (pseudoniem " + result.subject.slice(0, 19) + "…)"),
    h("table", { id: "subject-entries" }, h("thead", {}, h("tr", {}, ["#", "Tijd", "Partij", "Actie", "Uitkomst"].map((t) => h("th", {}, t)))),
      h("tbody", {}, result.entries.map((row) => { const e = JSON.parse(row.entry);
        return h("tr", {}, h("td", { class: "num" }, String(row.index)), h("td", {}, when(e.time)), h("td", { class: "mono" }, e.partyOin || "—"),
          h("td", {}, e.action), h("td", {}, e.outcome + " " + e.status)); }))));
  show(h("section", { class: "card" }, h("h2", {}, "Inzageverzoek (AVG art. 15)"),
    h("p", { class: "muted" }, "Alle regels van het auditlogboek over één leerling. Het nummer gaat alleen in de aanvraag mee."), form, out));
}

// ---- shell ----

const VIEWS = {
  coordinator: [["#/caseload", "Caseload", viewCaseload], ["#/zoeken", "Leerling zoeken", () => viewSearch(null)]],
  auditor: [["#/audit", "Auditlogboek", viewAudit], ["#/inzage", "Inzageverzoek", () => viewSubjectReport(null)]],
};

function viewNoScreens() {
  show(h("section", { class: "card" }, h("h2", {}, "Geen schermen voor uw rol"),
    h("p", {}, "Uw organisatie (" + (ROLLEN[me.role] || me.role) + ") levert berichten aan via de API; deze schermen zijn voor coördinatoren en auditors."),
    h("p", {}, h("a", { href: "/openapi.json" }, "Beschrijving van de API (OpenAPI)"))));
}

async function route() {
  const views = VIEWS[me.role] || [];
  const path = location.hash.split("?")[0];
  for (const a of document.querySelectorAll("#nav a")) a.classList.toggle("active", a.getAttribute("href") === path);
  try {
    if (me.role === "coordinator" && path.startsWith("#/record/")) return await viewRecord(path.slice(9));
    const view = views.find(([href]) => href === path) || views[0];
    if (!view) return viewNoScreens();
    if (view[0] !== path) { history.replaceState(null, "", view[0]); }
    await view[2]();
  } catch (e) {
    show(problemBox(e));
  }
}

async function start() {
  try {
    me = await api("/v1/me");
  } catch (e) {
    show(problemBox(e));
    return;
  }
  const who = document.getElementById("who");
  who.replaceChildren(h("span", { class: "name" }, me.name, " · ", ROLLEN[me.role] || me.role,
    me.region ? h("span", {}, " · regio ", h("strong", { id: "region-name" }, me.region.name)) : null));
  document.getElementById("nav").replaceChildren(...(VIEWS[me.role] || []).map(([href, label]) => h("a", { href }, label)));
  window.addEventListener("hashchange", route);
  await route();
  document.body.dataset.ready = "true";  // the browser test waits for this
}

start();
