// The auditor's screens: the signed head verified here, in the browser (Ed25519 and the RFC 9162
// proofs), not taken on trust; the checkpoint's witness cosignatures; the entries; an access
// request (AVG art. 15) and the processing activities (Logboek Dataverwerkingen) of one pupil.
// A BSN goes only into a POST body, never into an address.
"use strict";

import { h, show, hashQuery, api, postJson, problemBox, field } from "./dom.js";
import { ROLLEN, moment as when } from "./names.js";

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

// ---- auditor: head, entries, proofs ----

let partijen = {};
export function setParties(p) { partijen = p || {}; }
function partyCell(oin) {
  return oin ? h("span", {}, partijen[oin] || "", " ", h("span", { class: "code" }, oin)) : "—";
}

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

export async function viewAudit() {
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
    const toggle = h("button", { type: "button", class: "link-button", "aria-expanded": "false", onclick: (ev) => {
        ev.stopPropagation();
        detail.hidden = !detail.hidden;
        toggle.setAttribute("aria-expanded", String(!detail.hidden));
      } }, String(row.index));
    const main = h("tr", { class: "clickable", onclick: () => toggle.click() },
      h("td", { class: "num" }, toggle), h("td", {}, when(e.time)), h("td", {}, partyCell(e.partyOin)),
      h("td", {}, e.partyRole ? ROLLEN[e.partyRole] || e.partyRole : "—"), h("td", {}, e.action),
      h("td", {}, h("span", { class: "outcome outcome-" + e.outcome }, e.outcome + " " + e.status)),
      h("td", {}, (e.subjects || []).length ? e.subjects.length + " leerling(en)" : ""));
    return [main, detail];
  });
  const older = from > 0 ? h("a", { class: "button secondary", href: "#/audit?from=" + Math.max(0, from - limit) }, "← Oudere") : null;
  const newer = from + limit < head.size ? h("a", { class: "button secondary", href: "#/audit?from=" + (from + limit) }, "Nieuwere →") : null;
  show(h("h1", {}, "Auditlogboek"), card, checkpoint,
    h("section", { class: "card" },
      h("h2", {}, "Regels"),
      h("p", { class: "muted" }, "Kies het nummer van een regel voor de volledige inhoud en het opnamebewijs. Leerlingen staan er alleen als pseudoniem in."),
      form,
      h("table", { id: "entries" },
        h("thead", {}, h("tr", {}, ["#", "Tijd", "Partij", "Rol", "Actie", "Uitkomst", "Over"].map((t) => h("th", {}, t)))),
        h("tbody", {}, rows)),
      h("div", { class: "paging" }, older, newer)));
}

export function viewSubjectReport(result) {
  const form = h("form", { class: "filters", autocomplete: "off", onsubmit: async (ev) => {
      ev.preventDefault();
      const value = new FormData(ev.target).get("nummer").trim();
      const body = /^10\d{7}$/.test(value) ? { onderwijsnummer: value } : { bsn: value };
      try {
        viewSubjectReport(await postJson("/v1/audit/subject-report", body));
      } catch (e) { viewSubjectReport(e); }
    } },
    h("label", {}, "BSN of onderwijsnummer", h("input", { name: "nummer", inputmode: "numeric", required: true, maxlength: "9" })),
    h("button", { type: "submit" }, "Inzageverzoek beantwoorden"));
  let out = null;
  if (result instanceof Error) out = problemBox(result);
  else if (result) out = h("div", {}, h("p", {}, result.entries.length + " regels over deze leerling (pseudoniem " + result.subject.slice(0, 19) + "…)"),
    h("table", { id: "subject-entries" }, h("thead", {}, h("tr", {}, ["#", "Tijd", "Partij", "Actie", "Uitkomst"].map((t) => h("th", {}, t)))),
      h("tbody", {}, result.entries.map((row) => { const e = JSON.parse(row.entry);
        return h("tr", {}, h("td", { class: "num" }, String(row.index)), h("td", {}, when(e.time)), h("td", {}, partyCell(e.partyOin)),
          h("td", {}, e.action), h("td", {}, e.outcome + " " + e.status)); }))));
  show(h("h1", {}, "Inzageverzoek (AVG art. 15)"), h("section", { class: "card" },
    h("p", { class: "muted" }, "Alle regels van het auditlogboek over één leerling. Het nummer gaat alleen in de aanvraag mee."), form, out));
}


// Logboek Dataverwerkingen, by pupil: every processing activity about one pupil (the gateway's
// log read through the LDV "lezen" extension), one row per request.
export function viewVerwerkingen(result) {
  const form = h("form", { class: "filters", autocomplete: "off", onsubmit: async (ev) => {
      ev.preventDefault();
      const f = new FormData(ev.target);
      const value = f.get("nummer").trim();
      try {
        viewVerwerkingen(await postJson("/v1/processing-activities",
          { "dpl.core.data_subject_id": value, "dpl.core.data_subject_id_type": f.get("soort") }));
      } catch (e) { viewVerwerkingen(e); }
    } },
    field("ldv-soort", "Soort nummer", h("select", { name: "soort" }, h("option", { value: "bsn" }, "BSN"),
      h("option", { value: "onderwijsnummer" }, "Onderwijsnummer"))),
    field("ldv-nummer", "Nummer", h("input", { name: "nummer", inputmode: "numeric", required: true, maxlength: "9", autocomplete: "off" })),
    h("button", { type: "submit" }, "Verwerkingen tonen"));
  let out = null;
  if (result instanceof Error) out = problemBox(result);
  else if (result) {
    const acts = result.processingActivities || [];
    out = h("div", {}, h("p", { id: "ldv-count" }, acts.length + " verwerkingen over deze leerling"),
      h("table", { id: "ldv-activities" },
        h("thead", {}, h("tr", {}, ["Begin", "Verwerking", "Activiteit (register)", "Status", "Trace"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, acts.map((a) => h("tr", {},
          h("td", {}, when(new Date(a.startTime).toISOString())), h("td", {}, a.name),
          h("td", { class: "mono" }, (a.attributes || {})["dpl.core.processing_activity_id"] || ""),
          h("td", {}, a.status), h("td", { class: "mono" }, a.traceId))))));
  }
  show(h("h1", {}, "Verwerkingen per leerling"), h("section", { class: "card" },
    h("p", { class: "muted" }, "Logboek Dataverwerkingen: elke verwerking van gegevens over één leerling, met de activiteit uit het verwerkingsregister. Het nummer gaat alleen in de aanvraag mee."),
    form, out));
}
