// A school's screens (most small schools have no LAS that sends for them): its meldingen with
// their status and history (GET /v1/meldingen), a form to file a verzuimmelding, and a wijziging or
// intrekking of its own meldingen. Every problem the gateway reports is shown next to its field.
"use strict";

import { h, show, hashQuery, api, postJson, field, showProblems, newMessage, today, maySend } from "./dom.js";
import { label, typeName, statusName, valueText, gemeenteNaam, moment, ROLLEN, VALUES } from "./names.js";

const EVENTS = { received: "Ontvangen", status: "Status gewijzigd", moved: "Verhuisd", withdrawn: "Ingetrokken", changed: "Gewijzigd" };

// A problem's path (a JSON pointer into the message) names the form field it belongs to.
function fieldOfPath(prefix) {
  return (path) => {
    const m = /^\/meldingen\/0\/(.+)$/.exec(path);
    return m ? prefix + m[1].replace(/\//g, "-") : null;
  };
}

async function send(form, message, fieldOf, done) {
  try {
    const receipt = await postJson("/v1/berichten", message);
    const problems = (receipt.rejected || []).flatMap((x) => x.errors);
    if (problems.length) return showProblems(form, problems, fieldOf);
    done(receipt);
  } catch (e) {
    showProblems(form, (e.problem && e.problem.errors && e.problem.errors.length) ? e.problem.errors : [{ code: e.status || "", detail: e.message }], fieldOf);
  }
}

const errorSummary = () => h("div", { class: "error-summary", role: "alert", tabindex: "-1", hidden: true });

function historyText(e) {
  let text = EVENTS[e.event] || e.event;
  if (e.status) text += ": " + statusName(e.status);
  if (e.by) text += " (door " + (ROLLEN[e.by] || e.by) + ")";
  return text;
}

export async function viewMijnMeldingen(me) {
  const q = hashQuery();
  const params = new URLSearchParams({ limit: "50" });
  if (q.get("cursor")) params.set("cursor", q.get("cursor"));
  const page = await api("/v1/meldingen?" + params);
  const notice = q.get("verzonden") ? h("p", { class: "notice ok", role: "status", id: "sent-notice" }, "✓ Verzonden en ontvangen: melding " + q.get("verzonden") + ".") : null;
  const rows = page.items.map((r) => {
    const own = r.berichttype === "verzuimmelding" && r.active;
    return h("tr", { "data-melding": r.meldingId },
      h("td", {}, moment(r.receivedAt)), h("td", {}, typeName(r.berichttype)), h("td", {}, r.meldingId),
      h("td", {}, h("span", { class: "status status-" + r.status }, statusName(r.status)), r.active ? null : h("span", { class: "muted" }, " (niet meer actief)")),
      h("td", {}, h("ol", { class: "timeline compact-list" }, r.history.map((e) => h("li", {}, h("time", { datetime: e.time }, moment(e.time)), " ", historyText(e))))),
      h("td", {}, own ? h("div", { class: "row-actions" },
        maySend(me, "wijziging") ? h("a", { class: "button secondary", href: "#/wijzigen?melding=" + encodeURIComponent(r.meldingId) }, "Wijzigen", h("span", { class: "visually-hidden" }, " " + r.meldingId)) : null,
        maySend(me, "intrekking") ? h("a", { class: "button secondary", href: "#/intrekken?melding=" + encodeURIComponent(r.meldingId) }, "Intrekken", h("span", { class: "visually-hidden" }, " " + r.meldingId)) : null) : null));
  });
  show(h("h1", {}, "Mijn meldingen"), notice,
    h("section", { class: "card" },
      h("p", { class: "muted" }, "Wat " + (me.displayName || me.name) + " meldde, met wat er sindsdien mee gebeurde. U ziet alleen wat u zelf stuurde, niet wat anderen eraan toevoegden."),
      maySend(me, "verzuimmelding") ? h("p", {}, h("a", { class: "button", href: "#/verzuim" }, "Verzuim melden")) : null,
      rows.length ? h("table", { id: "meldingen" },
        h("thead", {}, h("tr", {}, ["Ontvangen", "Berichttype", "Melding", "Status", "Geschiedenis", "Acties"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, rows)) : h("p", { class: "muted", id: "empty" }, "U heeft nog niets gemeld."),
      page.nextCursor ? h("div", { class: "paging" }, h("a", { class: "button secondary", id: "next-page", href: "#/meldingen?cursor=" + encodeURIComponent(page.nextCursor) }, "Oudere →")) : null));
}

function options(values, path) {
  return values.map((v) => h("option", { value: v }, valueText(path, v)));
}

export function viewVerzuimForm(me) {
  const gemeenten = Object.keys(me.gemeenteNamen || {}).sort((a, b) => gemeenteNaam(a).localeCompare(gemeenteNaam(b), "nl"));
  const vestigingen = me.vestigingen || [];
  const P = "v-";
  const form = h("form", { class: "stacked", id: "verzuim-form", novalidate: true, autocomplete: "off", onsubmit: (ev) => {
      ev.preventDefault();
      const f = new FormData(form);
      const get = (k) => String(f.get(k) || "").trim();
      const leerling = { geboortedatum: get("geboortedatum"), woongemeente: get("woongemeente") };
      leerling[get("idsoort")] = get("nummer");
      const verzuim = { soort: get("soort"), van: get("van") };
      if (get("tot")) verzuim.tot = get("tot");
      if (get("uren")) verzuim.uren = Number(get("uren"));
      const m = { meldingId: get("meldingId"), leerling, school: { brin: me.brin, vestiging: get("vestiging") }, verzuim };
      if (get("toelichting")) m.toelichting = get("toelichting");
      const fieldOf = (path) => {
        if (/^\/meldingen\/0\/leerling\/(bsn|onderwijsnummer)$/.test(path)) return P + "nummer";
        return fieldOfPath(P)(path.replace("/leerling/", "/").replace("/verzuim/", "/").replace("/school/", "/"));
      };
      send(form, newMessage("verzuimmelding", me.brin, [m]), fieldOf, () => { location.hash = "#/meldingen?verzonden=" + encodeURIComponent(m.meldingId); });
    } },
    errorSummary(),
    h("fieldset", {}, h("legend", {}, "Leerling"),
      field(P + "idsoort", "Soort nummer", h("select", { name: "idsoort" }, h("option", { value: "bsn" }, "BSN"), h("option", { value: "onderwijsnummer" }, "Onderwijsnummer"))),
      field(P + "nummer", "BSN of onderwijsnummer", h("input", { name: "nummer", inputmode: "numeric", maxlength: "9", required: true, autocomplete: "off" })),
      field(P + "geboortedatum", label("leerling/geboortedatum"), h("input", { type: "date", name: "geboortedatum", required: true })),
      field(P + "woongemeente", label("leerling/woongemeente"), h("select", { name: "woongemeente", required: true },
        h("option", { value: "" }, "kies de gemeente"), gemeenten.map((g) => h("option", { value: g }, gemeenteNaam(g) + " (" + g + ")"))))),
    h("fieldset", {}, h("legend", {}, "Verzuim"),
      field(P + "vestiging", label("school/vestiging"), h("select", { name: "vestiging", required: true },
        vestigingen.length ? vestigingen.map((v) => h("option", { value: v.vestiging }, v.name + " (" + me.brin + " " + v.vestiging + ")"))
                           : h("option", { value: "00" }, me.brin + " 00"))),
      field(P + "soort", label("verzuim/soort"), h("select", { name: "soort", required: true }, options(Object.keys(VALUES["verzuim/soort"]), "verzuim/soort"))),
      field(P + "van", label("verzuim/van"), h("input", { type: "date", name: "van", required: true })),
      field(P + "tot", label("verzuim/tot"), h("input", { type: "date", name: "tot" }), "leeg laten als het langdurig of 18-plus verzuim nog voortduurt"),
      field(P + "uren", label("verzuim/uren"), h("input", { type: "number", name: "uren", min: "0", max: "1000", inputmode: "numeric" }), "bij 16-uur verzuim: ten minste 16"),
      field(P + "toelichting", label("toelichting"), h("textarea", { name: "toelichting", rows: "3", maxlength: "2000" }), "alleen wat de leerplichtambtenaar nodig heeft"),
      field(P + "meldingId", "Uw kenmerk van deze melding", h("input", { name: "meldingId", required: true, maxlength: "64", value: "VZ-" + today().replace(/-/g, "") + "-" + String(Date.now() % 100000).padStart(5, "0") }),
        "uniek binnen uw school; letters, cijfers, - en _")),
    h("div", { class: "form-actions" }, h("button", { type: "submit" }, "Melding versturen"), h("a", { class: "button secondary", href: "#/meldingen" }, "Annuleren")));
  show(h("h1", {}, "Verzuim melden"),
    h("section", { class: "card" },
      h("p", { class: "muted" }, "De melding gaat naar de leerplichtambtenaar van de woongemeente en het Doorstroompunt van de regio. Alle velden worden gecontroleerd voordat iets wordt opgeslagen."),
      form));
}

// A wijziging changes what the policy lets a verzuimmelding change: tot, uren, toelichting.
export function viewWijzigForm(me) {
  const melding = hashQuery().get("melding") || "";
  const P = "w-";
  const form = h("form", { class: "stacked", id: "wijzig-form", novalidate: true, autocomplete: "off", onsubmit: (ev) => {
      ev.preventDefault();
      const f = new FormData(form);
      const get = (k) => String(f.get(k) || "").trim();
      const wijzigingen = {};
      const verzuim = {};
      if (get("tot")) verzuim.tot = get("tot");
      if (get("uren")) verzuim.uren = Number(get("uren"));
      if (Object.keys(verzuim).length) wijzigingen.verzuim = verzuim;
      if (get("toelichting")) wijzigingen.toelichting = get("toelichting");
      const m = { meldingId: "WZ-" + Date.now().toString(36).toUpperCase(), betreft: melding, wijzigingen };
      const fieldOf = (path) => {
        const map = { "/meldingen/0/wijzigingen/verzuim/tot": P + "tot", "/meldingen/0/wijzigingen/verzuim/uren": P + "uren",
          "/meldingen/0/wijzigingen/toelichting": P + "toelichting", "/meldingen/0/verzuim/tot": P + "tot", "/meldingen/0/verzuim/uren": P + "uren" };
        return map[path] || null;
      };
      send(form, newMessage("wijziging", me.brin, [m]), fieldOf, () => { location.hash = "#/meldingen?verzonden=" + encodeURIComponent(m.meldingId); });
    } },
    errorSummary(),
    field(P + "tot", label("verzuim/tot"), h("input", { type: "date", name: "tot" }), "de einddatum van het verzuim, als die nu bekend is"),
    field(P + "uren", label("verzuim/uren"), h("input", { type: "number", name: "uren", min: "0", max: "1000" })),
    field(P + "toelichting", label("toelichting"), h("textarea", { name: "toelichting", rows: "3", maxlength: "2000" })),
    h("div", { class: "form-actions" }, h("button", { type: "submit" }, "Wijziging versturen"), h("a", { class: "button secondary", href: "#/meldingen" }, "Annuleren")));
  show(h("h1", {}, "Melding " + melding + " wijzigen"), h("section", { class: "card" },
    h("p", { class: "muted" }, "Alleen de velden die u invult veranderen; de melding wordt daarna als geheel opnieuw gecontroleerd."), form));
}

export function viewIntrekForm(me) {
  const melding = hashQuery().get("melding") || "";
  const form = h("form", { class: "stacked", id: "intrek-form", novalidate: true, onsubmit: (ev) => {
      ev.preventDefault();
      const m = { meldingId: "WD-" + Date.now().toString(36).toUpperCase(), betreft: melding, reden: new FormData(form).get("reden") };
      send(form, newMessage("intrekking", me.brin, [m]), (p) => (p === "/meldingen/0/reden" ? "i-reden" : null),
        () => { location.hash = "#/meldingen?verzonden=" + encodeURIComponent(m.meldingId); });
    } },
    errorSummary(),
    field("i-reden", label("reden"), h("select", { name: "reden" }, options(Object.keys(VALUES.reden), "reden"))),
    h("div", { class: "form-actions" }, h("button", { type: "submit", class: "danger" }, "Melding intrekken"), h("a", { class: "button secondary", href: "#/meldingen" }, "Annuleren")));
  show(h("h1", {}, "Melding " + melding + " intrekken"), h("section", { class: "card" },
    h("p", {}, "Een ingetrokken melding verdwijnt uit elke caseload; alleen dat zij is ingetrokken blijft bewaard."), form));
}
