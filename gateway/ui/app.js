// The web UI of the gateway: the caller's own role, through the same HTTPS API, with the browser's
// client certificate. What a role may not do is not offered (the server refuses it anyway).
// - coordinator and gemeente: caseload, summary, records with their history, a trajectmelding from
//   the record page (when the role may send one), search by BSN, the rapportage with a CSV download;
// - school (and an intermediary for one): its meldingen, a verzuimmelding form, wijziging, intrekking
//   (school.js);
// - auditor: the audit log verified in the browser, access requests, processing activities (audit.js).
// Nothing personal goes into a URL: a BSN only in a POST body.
"use strict";

import { h, show, hashQuery, api, postJson, problemBox, field, showProblems, newMessage, today, setNamens, withNamens, maySend } from "./dom.js";
import { LABELS, label, typeName, statusName, valueText, gemeenteNaam, schoolNaam, datum, moment, withCode, setMe, ROLLEN, BERICHTTYPEN } from "./names.js";
import { viewAudit, viewSubjectReport, viewVerwerkingen, setParties } from "./audit.js";
import { viewMijnMeldingen, viewVerzuimForm, viewWijzigForm, viewIntrekForm } from "./school.js";

const CASELOAD_STATUSSEN = ["geregistreerd", "in-behandeling", "afgesloten", "ter-kennisname"];
const TRAJECT_STATUSSEN = ["geregistreerd", "in-behandeling", "afgesloten", "ter-kennisname"];
const EVENTS = { status: "Status gewijzigd", moved: "Verhuisd", withdrawn: "Ingetrokken", changed: "Gewijzigd" };

let me = null;

// ---- readers (coordinator, gemeente): caseload, summary, record, search, rapportage ----

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
      h("span", { class: "bar-label" }, typeName(type)),
      h("span", { class: "bar", "aria-hidden": "true" },
        ...CASELOAD_STATUSSEN.filter((s) => t.statuses[s]).map((s) =>
          h("span", { class: "seg seg-" + s, title: statusName(s) + ": " + t.statuses[s], "data-width": (100 * t.statuses[s] / max).toFixed(2) }))),
      h("span", { class: "bar-total" }, t.total.toLocaleString("nl-NL"))));
  const table = h("table", { class: "compact" },
    h("thead", {}, h("tr", {}, ["Berichttype", "Gemeente", "Status", "Aantal"].map((t, i) => h("th", { scope: "col", class: i === 3 ? "num" : null }, t)))),
    h("tbody", {}, summary.counts.map((c) => h("tr", {}, h("td", {}, typeName(c.berichttype)), h("td", {}, gemeenteNaam(c.gemeente)),
      h("td", {}, statusName(c.status)), h("td", { class: "num" }, c.count.toLocaleString("nl-NL"))))));
  const chart = h("section", { class: "card", id: "summary" },
    h("h2", {}, "Overzicht " + summary.regionName),
    rows.length ? h("div", { class: "chart" }, rows) : h("p", { class: "muted" }, "Nog geen actieve meldingen."),
    h("div", { class: "legend" }, CASELOAD_STATUSSEN.map((s) => h("span", {}, h("span", { class: "swatch seg-" + s }), statusName(s)))),
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

function statusBadge(status) {
  return h("span", { class: "status status-" + status }, statusName(status));
}

function caseloadTable(items) {
  if (!items.length) return h("p", { class: "muted", id: "empty" }, "Geen meldingen gevonden.");
  return h("table", { id: "caseload" },
    h("thead", {}, h("tr", {}, ["Ontvangen", "Berichttype", "Gemeente", "Status", "Melding", "Afzender"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, items.map((r) => h("tr", { class: "clickable", "data-id": r.id, onclick: () => { location.hash = "#/record/" + r.id; } },
      h("td", {}, moment(r.receivedAt)), h("td", {}, typeName(r.berichttype)), h("td", {}, withCode(gemeenteNaam(r.gemeente), r.gemeente)),
      h("td", {}, statusBadge(r.status),
        lopend(r) ? h("span", { class: "badge-lopend", title: "Het verzuim duurt nog voort: nog geen einddatum" }, "lopend") : null),
      h("td", {}, h("a", { href: "#/record/" + r.id }, r.meldingId)), h("td", {}, r.senderName || r.senderOin)))));
}

function selectField(id, name, text, options, selected) {
  return field(id, text, h("select", { name }, h("option", { value: "" }, "alle"),
    options.map(([v, t]) => h("option", { value: v, selected: selected === v }, t))));
}

async function viewCaseload() {
  const q = hashQuery();
  const filters = {};
  for (const k of ["berichttype", "gemeente", "status", "since"]) if (q.get(k)) filters[k] = q.get(k);
  const cursor = q.get("cursor");
  const params = new URLSearchParams({ ...filters, limit: "25" });
  if (cursor) params.set("cursor", cursor);
  const [summary, page] = await Promise.all([api("/v1/caseload/summary"), api("/v1/caseload?" + params)]);
  const readable = (me.reads && me.reads.berichttypen) || Object.keys(BERICHTTYPEN);
  const gemeenten = (me.region && me.region.gemeenten) || [];

  const form = h("form", { class: "filters", onsubmit: (ev) => {
      ev.preventDefault();
      const next = new URLSearchParams();
      for (const [k, v] of new FormData(ev.target).entries()) if (v) next.set(k, v);
      location.hash = "#/caseload" + (next.toString() ? "?" + next : "");
    } },
    selectField("f-berichttype", "berichttype", "Berichttype", readable.map((t) => [t, typeName(t)]), filters.berichttype),
    me.role === "coordinator" ? selectField("f-gemeente", "gemeente", "Gemeente", gemeenten.map((g) => [g, gemeenteNaam(g) + " (" + g + ")"]), filters.gemeente) : null,
    selectField("f-status", "status", "Status", CASELOAD_STATUSSEN.map((s) => [s, statusName(s)]), filters.status),
    field("f-since", "Ontvangen vanaf", h("input", { type: "date", name: "since", value: filters.since || "" })),
    h("div", { class: "form-actions" }, h("button", { type: "submit" }, "Filteren"), h("a", { class: "button secondary", href: "#/caseload" }, "Wissen")));

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

  show(h("h1", {}, me.role === "gemeente" ? "Leerplicht: " + gemeenteNaam(me.gemeente) : "Caseload " + me.region.name),
    summaryChart(summary),
    h("section", { class: "card" },
      h("h2", {}, "Meldingen ", h("span", { class: "muted" }, "nieuwste eerst")),
      form, caseloadTable(page.items), paging));
}

function historyList(history) {
  if (!history.length) return h("p", { class: "muted" }, "Geen wijzigingen sinds ontvangst.");
  return h("ol", { class: "timeline", id: "history" }, history.map((e) => {
    const d = e.detail || {};
    let text = EVENTS[e.event] || e.event;
    if (e.event === "status") text += " naar " + statusName(d.status) + (d.afsluitreden ? " (" + valueText("gebeurtenis", d.afsluitreden) + ")" : "");
    if (e.event === "moved") text += " van " + gemeenteNaam(d.fromGemeente) + " naar " + gemeenteNaam(d.toGemeente);
    if (e.event === "changed" && d.fields) text += ": " + d.fields.map((f) => label(f)).join(", ");
    return h("li", { class: "event event-" + e.event }, h("time", { datetime: e.time }, moment(e.time)), " ", text);
  }));
}

function flatten(obj, prefix = "") {
  const out = [];
  for (const [k, v] of Object.entries(obj || {})) {
    if (v && typeof v === "object" && !Array.isArray(v)) out.push(...flatten(v, prefix + k + "/"));
    else out.push([prefix + k, v]);
  }
  return out;
}

const ORDER = Object.keys(LABELS);

function contentList(melding) {
  const rows = [];
  const school = melding.school && melding.school.brin ? schoolNaam(melding.school.brin, melding.school.vestiging) : null;
  const fields = flatten(melding).sort((a, b) => ORDER.indexOf(a[0]) - ORDER.indexOf(b[0]));
  for (const [path, v] of fields) {
    if (path === "meldingId" || (school && path === "school/vestiging")) continue;
    if (school && path === "school/brin") { rows.push(["School", withCode(school, melding.school.brin + " " + (melding.school.vestiging || ""))]); continue; }
    let text = Array.isArray(v) ? v.join(", ") : valueText(path, v);
    if (path.endsWith("gemeente") || path === "oudeGemeente" || path === "nieuweGemeente") text = withCode(gemeenteNaam(v), v);
    rows.push([label(path), text]);
  }
  return h("dl", { class: "fields", id: "content" }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

// A trajectmelding about this record: what the coordinator or gemeente does about the case.
function trajectForm(r) {
  const l = r.melding && r.melding.leerling;
  if (!l || !maySend(me, "trajectmelding") || !r.active) return null;
  const status = h("select", { name: "status", required: true }, TRAJECT_STATUSSEN.map((s) => h("option", { value: s }, statusName(s))));
  const reden = field("t-afsluitreden", "Reden van afsluiten", h("input", { name: "afsluitreden", maxlength: "64" }), "alleen bij afgesloten");
  const syncReden = () => { reden.hidden = status.value !== "afgesloten"; };
  status.addEventListener("change", syncReden);
  const form = h("form", { class: "stacked", id: "traject-form", novalidate: true, onsubmit: async (ev) => {
      ev.preventDefault();
      const f = new FormData(form);
      const leerling = { geboortedatum: l.geboortedatum, woongemeente: r.gemeente };
      if (l.bsn) leerling.bsn = l.bsn; else leerling.onderwijsnummer = l.onderwijsnummer;
      const m = { meldingId: "TR-" + Date.now().toString(36).toUpperCase(), leerling, datum: f.get("datum"), status: f.get("status"), betreft: r.id };
      if (m.status === "afgesloten" && f.get("afsluitreden").trim()) m.afsluitreden = f.get("afsluitreden").trim();
      if (f.get("toelichting").trim()) m.toelichting = f.get("toelichting").trim();
      const at = { "/meldingen/0/datum": "t-datum", "/meldingen/0/status": "t-status", "/meldingen/0/afsluitreden": "t-afsluitreden", "/meldingen/0/toelichting": "t-toelichting" };
      try {
        const receipt = await postJson("/v1/berichten", newMessage("trajectmelding", me.role.toUpperCase(), [m]));
        const problems = (receipt.rejected || []).flatMap((x) => x.errors);
        if (problems.length) return showProblems(form, problems, (p) => at[p]);
        location.hash = "#/record/" + r.id + "?traject=" + receipt.records[0].id;
      } catch (e) {
        showProblems(form, (e.problem && e.problem.errors) || [{ code: "", detail: e.message }], (p) => at[p]);
      }
    } },
    h("div", { class: "error-summary", role: "alert", tabindex: "-1", hidden: true }),
    field("t-status", "Nieuwe status", status),
    field("t-datum", "Datum", h("input", { type: "date", name: "datum", required: true, value: today() })),
    reden,
    field("t-toelichting", "Toelichting", h("textarea", { name: "toelichting", rows: "3", maxlength: "2000" }), "zonder namen of andere persoonsgegevens die niet nodig zijn"),
    h("div", { class: "form-actions" }, h("button", { type: "submit" }, "Traject registreren")));
  syncReden();
  return h("section", { class: "card", id: "traject" }, h("h2", {}, "Traject registreren"),
    h("p", { class: "muted" }, "Legt vast wat u met deze melding doet; de status van de melding gaat mee."), form);
}

async function viewRecord(id) {
  const { record: r, history } = await api("/v1/records/" + encodeURIComponent(id));
  const q = hashQuery();
  const fields = [["Berichttype", typeName(r.berichttype)], ["Status", statusBadge(r.status)],
    ["Gemeente", withCode(gemeenteNaam(r.gemeente), r.gemeente)], ["Ontvangen", moment(r.receivedAt)],
    ["Afzender", withCode(r.senderName || r.senderOin, r.senderOin)], ["Bericht", r.berichtId], ["Melding", r.meldingId],
    ["Grondslag", r.legalBasis], ["Doel", r.purpose], ["Beleidsversie", r.policyVersion], ["Bewaren tot", datum(r.retentionUntil)]];
  if (lopend(r)) fields.push(["Verzuim", "lopend: nog geen einddatum (de school stuurt die later met een wijziging)"]);
  show(h("p", {}, h("a", { href: "#/caseload" }, "← Terug naar de meldingen")),
    h("h1", {}, typeName(r.berichttype) + " " + r.meldingId),
    q.get("traject") ? h("p", { class: "notice ok", role: "status", id: "traject-done" }, "✓ Traject geregistreerd.") : null,
    h("section", { class: "card", id: "record" },
      h("dl", { class: "fields" }, fields.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
      h("h2", {}, "Inhoud van de melding"),
      r.melding ? contentList(r.melding) : h("p", { class: "muted", id: "withdrawn" }, "Ingetrokken door de afzender: de inhoud wordt niet meer getoond."),
      h("h2", {}, "Geschiedenis"), historyList(history)),
    trajectForm(r));
}

function viewSearch(result) {
  const form = h("form", { class: "filters", autocomplete: "off", onsubmit: async (ev) => {
      ev.preventDefault();
      const f = new FormData(ev.target);
      const value = f.get("nummer").trim();
      try {
        viewSearch(await postJson("/v1/records/search", { [f.get("soort")]: value }));
      } catch (e) { viewSearch(e); }
    } },
    field("s-soort", "Soort nummer", h("select", { name: "soort" }, h("option", { value: "bsn" }, "BSN"), h("option", { value: "onderwijsnummer" }, "Onderwijsnummer"))),
    field("s-nummer", "Nummer", h("input", { name: "nummer", inputmode: "numeric", required: true, maxlength: "9", autocomplete: "off" })),
    h("div", { class: "form-actions" }, h("button", { type: "submit" }, "Zoeken")));
  show(h("h1", {}, "Leerling zoeken"), h("section", { class: "card" },
    h("p", { class: "muted" }, "Het nummer gaat alleen in de aanvraag zelf mee, nooit in een adres; de zoekactie wordt vastgelegd."),
    form,
    result instanceof Error ? problemBox(result) : result ? caseloadTable(result.items) : null));
}

async function viewRapportage() {
  const q = hashQuery();
  const d = new Date();
  const van = q.get("van") || new Date(Date.UTC(d.getFullYear(), d.getMonth(), 1)).toISOString().slice(0, 10);
  const tot = q.get("tot") || today();
  const query = new URLSearchParams({ van, tot });
  let report = null, error = null;
  try { report = await api("/v1/caseload/rapportage?" + query); } catch (e) { error = e; }
  const download = h("button", { type: "button", class: "secondary", id: "csv-download", onclick: async () => {
      const res = await fetch("/v1/caseload/rapportage?" + query, { credentials: "same-origin", cache: "no-store", headers: withNamens({ Accept: "text/csv" }) });
      if (!res.ok) return;
      const url = URL.createObjectURL(await res.blob());
      const a = h("a", { href: url, download: "rapportage-" + van + "-" + tot + ".csv" });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } }, "Download als CSV (Excel)");
  const form = h("form", { class: "filters", onsubmit: (ev) => {
      ev.preventDefault();
      const f = new FormData(ev.target);
      location.hash = "#/rapportage?" + new URLSearchParams({ van: f.get("van"), tot: f.get("tot") });
    } },
    field("r-van", "Ontvangen vanaf", h("input", { type: "date", name: "van", value: van, required: true })),
    field("r-tot", "Tot en met", h("input", { type: "date", name: "tot", value: tot, required: true })),
    h("div", { class: "form-actions" }, h("button", { type: "submit" }, "Tonen"), download));
  const detailKey = (row) => Object.keys(row).find((k) => !["gemeente", "berichttype", "status", "nieuw", "afgesloten", "actief"].includes(k));
  const table = report && (report.rows.length
    ? h("table", { id: "rapportage" },
        h("thead", {}, h("tr", {}, ["Gemeente", "Berichttype", "Status", "Niveau", "Nieuw", "Afgesloten", "Actief"].map((t, i) => h("th", { scope: "col", class: i >= 4 ? "num" : null }, t)))),
        h("tbody", {}, report.rows.map((row) => {
          const k = detailKey(row);
          return h("tr", {}, h("td", {}, withCode(gemeenteNaam(row.gemeente), row.gemeente)), h("td", {}, typeName(row.berichttype)),
            h("td", {}, statusName(row.status)), h("td", {}, k ? valueText(k, row[k]) : ""),
            ["nieuw", "afgesloten", "actief"].map((n) => h("td", { class: "num" }, row[n].toLocaleString("nl-NL"))));
        })))
    : h("p", { class: "muted", id: "empty" }, "Geen meldingen ontvangen in deze periode."));
  show(h("h1", {}, "Rapportage"), h("section", { class: "card" },
    h("p", { class: "muted" }, "Per gemeente, berichttype en status: hoeveel meldingen in de periode binnenkwamen (nieuw), hoeveel daarvan zijn afgesloten en hoeveel nog actief zijn."),
    form, error ? problemBox(error) : table));
}

// ---- shell ----

const READER_VIEWS = [["#/caseload", "Meldingen", viewCaseload], ["#/zoeken", "Leerling zoeken", () => viewSearch(null)],
  ["#/rapportage", "Rapportage", viewRapportage]];
const VIEWS = {
  coordinator: READER_VIEWS,
  gemeente: READER_VIEWS,
  auditor: [["#/audit", "Auditlogboek", viewAudit], ["#/inzage", "Inzageverzoek", () => viewSubjectReport(null)],
    ["#/verwerkingen", "Verwerkingen per leerling", () => viewVerwerkingen(null)]],
  school: [["#/meldingen", "Mijn meldingen", () => viewMijnMeldingen(me)], ["#/verzuim", "Verzuim melden", () => viewVerzuimForm(me), () => maySend(me, "verzuimmelding")]],
};

const viewsOf = (role) => (VIEWS[role] || []).filter((v) => !v[3] || v[3]());

function viewNoScreens() {
  show(h("h1", {}, "Geen schermen voor uw rol"), h("section", { class: "card" },
    h("p", {}, "Uw organisatie (" + (ROLLEN[me.role] || me.role) + ") levert berichten aan via de API; deze schermen zijn voor scholen, gemeenten, coördinatoren en auditors."),
    h("p", {}, h("a", { href: "/openapi.json" }, "Beschrijving van de API (OpenAPI)"))));
}

async function route() {
  const views = viewsOf(me.role);
  const path = location.hash.split("?")[0];
  for (const a of document.querySelectorAll("#nav a")) {
    const on = a.getAttribute("href") === path;
    a.classList.toggle("active", on);
    if (on) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  }
  document.body.dataset.ready = "false";
  try {
    if ((me.role === "coordinator" || me.role === "gemeente") && path.startsWith("#/record/")) await viewRecord(path.slice(9));
    else if (me.role === "school" && path === "#/wijzigen" && maySend(me, "wijziging")) viewWijzigForm(me);
    else if (me.role === "school" && path === "#/intrekken" && maySend(me, "intrekking")) viewIntrekForm(me);
    else {
      const view = views.find(([href]) => href === path) || views[0];
      if (!view) viewNoScreens();
      else {
        if (view[0] !== path) history.replaceState(null, "", view[0]);
        await view[2]();
      }
    }
  } catch (e) {
    show(h("h1", {}, "Er ging iets mis"), problemBox(e));
  }
  document.body.dataset.ready = "true";  // the browser test waits for this
}

// An intermediary (a school's software supplier, a regional bureau) picks whom it works for, among
// the mandates in force today; the choice lasts for the browser tab.
function viewChoosePrincipal(mandates) {
  const active = mandates.filter((m) => m.state === "active");
  const others = mandates.filter((m) => m.state !== "active");
  show(h("h1", {}, "Namens wie werkt u?"), h("section", { class: "card" },
    h("p", {}, "U bent een intermediair: u werkt namens een partij die u daarvoor heeft gemachtigd."),
    active.length ? h("ul", { id: "principals", class: "choices" }, active.map((m) => h("li", {},
      h("button", { type: "button", "data-oin": m.principal.oin, onclick: () => { sessionStorage.setItem("dg.namens", m.principal.oin); location.reload(); } },
        "Namens " + (m.principal.displayName || m.principal.name)),
      h("span", { class: "muted" }, " machtiging tot en met " + datum(m.validUntil)))))
      : h("p", { class: "warn" }, "U heeft vandaag geen geldige machtiging."),
    others.length ? h("p", { class: "muted" }, "Niet (meer) geldig: " + others.map((m) => (m.principal.displayName || m.principal.name) + " (" + datum(m.validFrom) + " – " + datum(m.validUntil) + ")").join(", ")) : null));
  document.body.dataset.ready = "true";
}

async function start() {
  try {
    me = await api("/v1/me");
    const chosen = sessionStorage.getItem("dg.namens");
    if (me.role === "intermediary" && chosen && (me.mandates || []).some((m) => m.state === "active" && m.principal.oin === chosen)) {
      setNamens(chosen);
      me = await api("/v1/me");  // now the principal, with the intermediary and the mandate beside it
    }
  } catch (e) {
    show(h("h1", {}, "Geen toegang"), problemBox(e));
    document.body.dataset.ready = "true";
    return;
  }
  setMe(me);
  setParties(me.partijen);
  const who = document.getElementById("who");
  const acting = me.intermediary ? h("span", {}, (me.intermediary.displayName || me.intermediary.name) + " namens ") : null;
  who.replaceChildren(h("span", { class: "name" }, acting, h("span", { id: "who-name" }, me.displayName || me.name), " · ", ROLLEN[me.role] || me.role,
    me.region ? h("span", {}, " · regio ", h("strong", { id: "region-name" }, me.region.name)) : null));
  if (me.intermediary) who.append(h("button", { type: "button", class: "link-button on-dark", id: "switch-principal",
    onclick: () => { sessionStorage.removeItem("dg.namens"); location.reload(); } }, "Wisselen"));
  if (me.role === "intermediary") {
    document.getElementById("nav").replaceChildren();
    return viewChoosePrincipal(me.mandates || []);
  }
  document.getElementById("nav").replaceChildren(...viewsOf(me.role).map(([href, text]) => h("a", { href }, text)));
  // The skip link moves the focus, not the hash (the hash is the screen).
  document.querySelector(".skip-link").addEventListener("click", (ev) => { ev.preventDefault(); document.getElementById("main").focus(); });
  window.addEventListener("hashchange", route);
  await route();
}

start();
