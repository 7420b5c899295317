// Small DOM and API helpers shared by every screen. Data only ever becomes text, never markup.
"use strict";

import { problemText } from "./names.js";

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

export function show(...nodes) {
  const main = document.getElementById("main");
  main.replaceChildren(...nodes.filter((n) => n !== null && n !== undefined && n !== false));
  const heading = main.querySelector("h1");
  if (heading) document.title = heading.textContent + " — Doorstroom-gateway";
}

export function hashQuery() {
  const q = location.hash.indexOf("?");
  return new URLSearchParams(q < 0 ? "" : location.hash.slice(q + 1));
}

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem && problem.detail ? problem.detail : "HTTP " + status);
    this.status = status;
    this.problem = problem;
  }
}

// An intermediary works for one principal at a time: every request then says Namens (its OIN).
let namens = null;
export function setNamens(oin) { namens = oin; }
export function withNamens(headers = {}) { return namens ? { ...headers, Namens: namens } : headers; }

export async function api(path, options = {}) {
  const res = await fetch(path, { credentials: "same-origin", cache: "no-store", ...options, headers: withNamens(options.headers) });
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

export function postJson(path, body) {
  return api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

export function problemBox(e) {
  const p = e.problem || {};
  return h("div", { class: "problem", role: "alert" },
    h("strong", {}, p.title || "Fout"), " — ", e.message,
    (p.errors || []).length ? h("ul", {}, p.errors.map((x) => h("li", {}, problemText(x)))) : null);
}

// A labelled form field in the NL Design System's pattern: label, optional description, the
// control, and room for an error message tied to it with aria-describedby.
export function field(id, label, control, description) {
  control.id = id;
  const errId = id + "-error";
  const descId = description ? id + "-description" : null;
  control.setAttribute("aria-describedby", [descId, errId].filter(Boolean).join(" "));
  return h("div", { class: "form-field", "data-field": id },
    h("label", { for: id, class: "form-label" }, label),
    description ? h("div", { class: "form-description", id: descId }, description) : null,
    h("div", { class: "form-error", id: errId, hidden: true }),
    control);
}

// Puts each problem next to its field (fieldOf maps a problem's path to a field id) and lists them
// all in an error summary at the top of the form, whose links move the focus to the field.
export function showProblems(form, problems, fieldOf) {
  for (const el of form.querySelectorAll(".form-error")) { el.hidden = true; el.textContent = ""; }
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  const summary = form.querySelector(".error-summary");
  if (!problems.length) { summary.hidden = true; summary.replaceChildren(); return; }
  const items = problems.map((p) => {
    const id = fieldOf(p.path || "");
    const control = id && form.querySelector("#" + CSS.escape(id));
    if (control) {
      const err = form.querySelector("#" + CSS.escape(id + "-error"));
      if (!err.hidden) err.append(h("br"));
      err.hidden = false;
      err.append(problemText(p));
      control.setAttribute("aria-invalid", "true");
      const name = form.querySelector('label[for="' + id + '"]');
      return h("li", {}, h("a", { href: "#" + id, onclick: (ev) => { ev.preventDefault(); control.focus(); } },
        (name ? name.textContent + ": " : ""), problemText(p)));
    }
    return h("li", {}, problemText(p));
  });
  summary.replaceChildren(h("h2", {}, "Niet verzonden: verbeter het volgende"), h("ul", {}, items));
  summary.hidden = false;
  summary.focus();
}

// A message as a sender's system would make it: a fresh berichtId, the time with its offset.
export function newMessage(berichttype, prefix, meldingen) {
  const now = new Date();
  const stamp = now.toISOString().replace(/[-:.TZ]/g, "").slice(0, 14);
  const rand = Array.from(crypto.getRandomValues(new Uint8Array(3)), (b) => b.toString(16).padStart(2, "0")).join("");
  const off = -now.getTimezoneOffset();
  const pad = (n) => String(Math.floor(Math.abs(n))).padStart(2, "0");
  const local = new Date(now.getTime() + off * 60000).toISOString().slice(0, 19);
  return {
    berichtId: (prefix + "-UI-" + stamp + "-" + rand).slice(0, 64),
    berichttype,
    verzondenOp: local + (off >= 0 ? "+" : "-") + pad(off / 60) + ":" + pad(off % 60),
    meldingen,
  };
}

export function today() {
  const d = new Date();
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
}

// A type this party may send: its role may (/v1/me's endpoints), and an intermediary's mandate covers it.
export function maySend(me, type) {
  const m = me.mandate;
  return (me.endpoints || []).includes("berichten") && (!m || !(m.berichttypen || []).length || m.berichttypen.includes(type));
}
