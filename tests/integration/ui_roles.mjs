// Each role's main task in the web UI, end to end, in real Chromium (Debian's, driven by
// puppeteer-core) with the party's real client certificate, and axe-core's WCAG 2.1 A/AA checks on
// every page it visits. ui_browser.sh sets up the gateway, the certificates and the environment:
//   DG_UI_URL     https://HOST:PORT of the gateway
//   DG_UI_HOMES   a directory with home-<party>/ (an NSS database holding that party's certificate)
//   DG_UI_SHOTS   where the screenshots go (the build's artifacts)
//   DG_UI_TOOLS   tools/ (its node_modules hold puppeteer-core and axe-core)
//   DG_UI_POLICY  policies/sharing.json (every field of every berichttype needs a Dutch label)
// Exit 0 when every check holds; otherwise 1 with what failed.
import { readFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

// puppeteer-core and axe-core live in tools/node_modules (tools/package.json, installed by setup.sh).
const puppeteer = createRequire(process.env.DG_UI_TOOLS + "/package.json")("puppeteer-core");

const base = process.env.DG_UI_URL;
const homes = process.env.DG_UI_HOMES;
const shots = process.env.DG_UI_SHOTS;
const axeSource = readFileSync(join(process.env.DG_UI_TOOLS, "node_modules/axe-core/axe.min.js"), "utf8");
const policy = JSON.parse(readFileSync(process.env.DG_UI_POLICY, "utf8"));
mkdirSync(shots, { recursive: true });

let failures = 0;
function check(ok, what) {
  if (ok) console.log("ok   " + what);
  else { failures++; console.log("FAIL " + what); }
}

async function browserFor(party) {
  const browser = await puppeteer.launch({
    executablePath: process.env.DG_UI_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    env: { ...process.env, HOME: join(homes, "home-" + party), LANGUAGE: "nl_NL", LANG: "nl_NL.UTF-8" },
    userDataDir: join(homes, "home-" + party, "puppeteer-profile"),
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--disable-default-apps", "--disable-dev-shm-usage", "--window-size=1366,900", "--lang=nl-NL"],
    defaultViewport: { width: 1366, height: 900 },
  });
  const page = await browser.newPage();
  page.on("pageerror", (e) => { failures++; console.log("FAIL a script error on the page: " + e.message); });
  return { browser, page };
}

// Runs `task` in a browser of the party's own, closed afterwards.
async function asParty(party, task) {
  const { browser, page } = await browserFor(party);
  try {
    await task(page);
  } finally {
    await browser.close();
  }
}

// Goes to a screen and waits until it has rendered (body[data-ready=true] after the route ran).
async function go(page, hash) {
  if (page.url().startsWith(base + "/ui/")) {
    await page.evaluate(() => { document.body.dataset.ready = "false"; });
    await page.evaluate((h) => { location.hash = h; }, hash);
  } else {
    await page.goto(base + "/ui/" + hash, { waitUntil: "load" });
  }
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20000 });
}

async function waitReady(page) {
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20000 });
}

const visited = [];
// axe-core on the page as it is now: no WCAG 2.1 A or AA violation. A screenshot either way.
async function audit(page, name) {
  await page.screenshot({ path: join(shots, name + ".png"), fullPage: true });
  if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    return r.violations.map((v) => v.id + ": " + v.help + " — " + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", "));
  });
  visited.push(name);
  const leak = await page.evaluate(() => (/\b(null|undefined|NaN|\[object Object\])\b/.exec(document.body.innerText) || [""])[0]);
  check(leak === "", "no '" + leak + "' shown on " + name);
  check(result.length === 0, "axe-core: no WCAG 2.1 A/AA violation on " + name + (result.length ? "\n       " + result.join("\n       ") : ""));
}

const text = (page, sel) => page.$eval(sel, (el) => el.textContent).catch(() => "");
const has = async (page, sel) => (await page.$(sel)) !== null;

// Fills a form field from the keyboard only: Tab moves the focus until it reaches the field.
async function tabTo(page, id, max = 40) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((x) => document.activeElement && document.activeElement.id === x, id)) return true;
    await page.keyboard.press("Tab");
  }
  return false;
}

async function typeInto(page, id, value) {
  check(await tabTo(page, id), "keyboard: Tab reaches " + id);
  const tag = await page.evaluate(() => document.activeElement.tagName + ":" + (document.activeElement.type || ""));
  if (tag.startsWith("SELECT")) {
    await page.select("#" + id, value);  // the value picked as the keyboard would (focus stays on it)
  } else if (tag === "INPUT:date") {
    // Reached by the keyboard (above); what keys a native date control takes depends on the locale.
    await page.$eval("#" + id, (el, v) => { el.value = v; el.dispatchEvent(new Event("input", { bubbles: true })); }, value);
  } else {
    await page.keyboard.type(value);
  }
}

const pupil = { bsn: "111222333", geboortedatum: "2012-03-04" };
const meldingId = "VZ-UI-" + Date.now().toString(36).toUpperCase();

const school = () => asParty("school-12AB", async (page) => {
  await go(page, "#/verzuim");
  check((await text(page, "h1")) === "Verzuim melden", "school: the filing form");
  check((await text(page, "#who")).includes("Het Amstel College (test)"), "school: its own name, not its code");
  check((await text(page, "#v-vestiging")).includes("Het Amstel College, locatie Diemen (test)"), "school: its locations by name (region table)");
  check((await text(page, "#v-woongemeente")).includes("'s-Gravenhage (0518)"), "school: gemeenten by name, code second");
  await audit(page, "school-form");
  // Sent as it is: every problem the gateway reports, next to its field, and in the summary.
  await page.$eval("#v-meldingId", (el) => { el.value = ""; });
  await page.click('#verzuim-form button[type="submit"]');
  await page.waitForSelector(".error-summary:not([hidden])", { timeout: 10000 });
  for (const id of ["v-nummer", "v-geboortedatum", "v-woongemeente", "v-van", "v-tot", "v-uren"])
    check(!(await page.$eval("#" + id + "-error", (el) => el.hidden)), "school form: the gateway's problem shown at " + id);
  check(await page.$eval("#v-nummer", (el) => el.getAttribute("aria-invalid") === "true"), "school form: the field is marked invalid");
  check((await text(page, "#v-nummer-error")).includes("bsn.checksum"), "school form: the BSN's problem code");
  check(await page.evaluate(() => document.activeElement.classList.contains("error-summary")), "school form: the focus moves to the error summary");
  await audit(page, "school-form-problems");
  // Filled in from the keyboard, sent, and listed under "mijn meldingen".
  await page.goto("about:blank");
  await go(page, "#/verzuim");
  await page.focus(".skip-link");
  await typeInto(page, "v-nummer", pupil.bsn);
  await typeInto(page, "v-geboortedatum", pupil.geboortedatum);
  await typeInto(page, "v-woongemeente", "0363");
  await typeInto(page, "v-vestiging", "00");
  await typeInto(page, "v-soort", "langdurig");
  await typeInto(page, "v-van", "2026-09-01");
  await typeInto(page, "v-toelichting", "Via het formulier gemeld.");
  await page.$eval("#v-meldingId", (el) => { el.value = ""; });
  await typeInto(page, "v-meldingId", meldingId);
  await page.keyboard.press("Tab");
  check(await page.evaluate(() => document.activeElement.type === "submit"), "keyboard: Tab reaches the send button");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => location.hash.startsWith("#/meldingen"), { timeout: 15000 });
  await waitReady(page);
  check((await text(page, "#sent-notice")).includes(meldingId), "school: told the melding was received");
  check(await has(page, `#meldingen tr[data-melding="${meldingId}"]`), "school: the melding is listed under mijn meldingen");
  check((await text(page, `#meldingen tr[data-melding="${meldingId}"]`)).includes("Geregistreerd"), "school: with its status");
  await audit(page, "school-meldingen");
  // A wijziging of its own melding: the end date is now known.
  await go(page, "#/wijzigen?melding=" + encodeURIComponent(meldingId));
  await audit(page, "school-wijziging");
  await page.$eval("#w-tot", (el) => { el.value = "2026-11-20"; });
  await page.click('#wijzig-form button[type="submit"]');
  await page.waitForFunction(() => location.hash.startsWith("#/meldingen"), { timeout: 15000 });
  await waitReady(page);
  check((await text(page, `#meldingen tr[data-melding="${meldingId}"]`)).includes("Gewijzigd"), "school: the wijziging in the melding's history");
  // An intrekking is offered and asks for a reason (not sent here: the coordinator works on it next).
  await go(page, "#/intrekken?melding=" + encodeURIComponent(meldingId));
  check(await has(page, "#i-reden"), "school: the intrekking form asks for a reason");
  await audit(page, "school-intrekking");
  check(!(await has(page, 'a[href="#/audit"]')) && !(await has(page, 'a[href="#/caseload"]')), "school: no screens of other roles offered");
});

// A school's software supplier, namens the school: it picks the principal among its mandates in
// force, then sees the school's screens with every request sent Namens the school.
const intermediary = () => asParty("las-leverancier", async (page) => {
  await go(page, "#/");
  check((await text(page, "h1")) === "Namens wie werkt u?", "intermediary: asked whom it works for");
  check(await has(page, '#principals button[data-oin="00000099000000000201"]'), "intermediary: the school with a mandate in force");
  check(!(await has(page, '#principals button[data-oin="00000099000000000202"]')), "intermediary: not the school whose mandate ended");
  await audit(page, "intermediary-choose");
  await page.click('#principals button[data-oin="00000099000000000201"]');
  await page.waitForNavigation({ waitUntil: "load" });
  await waitReady(page);
  check((await text(page, "#who")).includes("LAS-leverancier (test) namens Het Amstel College (test)"), "intermediary: shown acting namens the school");
  check(await has(page, `#meldingen tr[data-melding="${meldingId}"]`), "intermediary: the school's meldingen, namens it");
  await audit(page, "intermediary-meldingen");
});

const coordinator = () => asParty("coordinator-amsterdam", async (page) => {
  await go(page, "#/caseload");
  await audit(page, "coordinator-caseload");
  check((await text(page, "#f-gemeente")).includes("Amsterdam (0363)"), "coordinator: the gemeente filter names gemeenten");
  await page.select("#f-gemeente", "0363");
  await page.select("#f-berichttype", "verzuimmelding");
  await page.click('.filters button[type="submit"]');
  await waitReady(page);
  const row = await page.$$eval("#caseload tbody tr", (rows, id) => rows.filter((r) => r.textContent.includes(id)).map((r) => ({ id: r.dataset.id, text: r.textContent })), meldingId);
  check(row.length === 1, "coordinator: the school's melding found under Amsterdam");
  check(row.length === 1 && row[0].text.includes("Amsterdam") && row[0].text.includes("Het Amstel College (test)"), "coordinator: gemeente and sender by name");
  await audit(page, "coordinator-filtered");
  await go(page, "#/record/" + row[0].id);
  check((await text(page, "#content")).includes("Het Amstel College (test)"), "coordinator: the school by name (VESTIGINGSNAAM)");
  check((await text(page, "#content")).includes("Soort verzuim") && (await text(page, "#content")).includes("Langdurig"), "coordinator: Dutch field labels and values");
  check(!(await text(page, "#content")).includes("leerling/"), "coordinator: no field paths");
  await audit(page, "coordinator-record");
  // Registering what she does about it: a trajectmelding from the record page.
  await page.select("#t-status", "in-behandeling");
  await page.$eval("#t-toelichting", (el) => { el.value = "Gesprek met ouders gepland."; });
  await page.click('#traject-form button[type="submit"]');
  await page.waitForSelector("#traject-done", { timeout: 15000 });
  await waitReady(page);
  check((await text(page, "#history")).includes("Status gewijzigd naar In behandeling"), "coordinator: the traject's status in the record's history");
  await audit(page, "coordinator-traject");
  await go(page, "#/rapportage?van=2026-01-01&tot=2027-12-31");
  const rapport = await text(page, "#rapportage");
  check(rapport.includes("Amsterdam") && rapport.includes("Verzuimmelding"), "coordinator: the rapportage by gemeente name");
  await audit(page, "coordinator-rapportage");
  const downloads = join(homes, "downloads");
  rmSync(downloads, { recursive: true, force: true });
  mkdirSync(downloads, { recursive: true });
  const cdp = await page.createCDPSession();
  await cdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: downloads });
  await page.click("#csv-download");
  let csv = null;
  for (let i = 0; i < 50 && !csv; i++) {
    await new Promise((r) => setTimeout(r, 200));
    const f = readdirSync(downloads).find((n) => n.endsWith(".csv"));
    if (f) csv = readFileSync(join(downloads, f), "utf8");
  }
  check(csv !== null, "coordinator: the rapportage downloads as a CSV file");
  if (csv) {
    check(csv.startsWith("\ufeffgemeente;gemeentenaam;berichttype;status;"), "coordinator: the CSV's header row, ;-separated, UTF-8 with BOM");
    check(/\r\n0363;AMSTERDAM;verzuimmelding;in-behandeling;/.test(csv), "coordinator: the CSV holds the melding now in behandeling");
  }
  await go(page, "#/zoeken");
  await page.type("#s-nummer", pupil.bsn);
  await page.click('.filters button[type="submit"]');
  await page.waitForSelector("#caseload, #empty", { timeout: 10000 });
  check(await has(page, `#caseload tr`), "coordinator: the pupil found by BSN (in a POST body)");
  check(!page.url().includes(pupil.bsn), "coordinator: no BSN in the address");
  await audit(page, "coordinator-search");
});

const gemeente = () => asParty("gemeente-0363", async (page) => {
  await go(page, "#/caseload");
  check((await text(page, "h1")).includes("Amsterdam"), "gemeente: its own name");
  check((await text(page, "#caseload")).includes(meldingId), "gemeente: its resident's melding in its caseload");
  check(!(await has(page, "#f-gemeente")), "gemeente: no filter on other gemeenten");
  await audit(page, "gemeente-caseload");
  await go(page, "#/rapportage?van=2026-01-01&tot=2027-12-31");
  check(!(await text(page, "#rapportage")).includes("Diemen"), "gemeente: the rapportage of its own residents only");
  await audit(page, "gemeente-rapportage");
});

const auditor = () => asParty("auditor", async (page) => {
  await go(page, "#/audit?action=POST%20%2Fv1%2Fberichten&from=0");
  check((await text(page, "#head-signature")).includes("Handtekening geldig"), "auditor: the head verified in the browser");
  check((await text(page, "#entries")).includes("POST /v1/berichten"), "auditor: finds the pushes");
  await audit(page, "auditor-log");
  // The details of an entry open from the keyboard.
  await page.focus("#entries tbody .link-button");
  await page.keyboard.press("Enter");
  check(await page.$eval("#entries tbody .link-button", (b) => b.getAttribute("aria-expanded") === "true"), "auditor: an entry's details open from the keyboard");
  await go(page, "#/verwerkingen");
  await page.type("#ldv-nummer", pupil.bsn);
  await page.click('.filters button[type="submit"]');
  await page.waitForSelector("#ldv-activities", { timeout: 10000 });
  const n = await page.$$eval("#ldv-activities tbody tr", (r) => r.length);
  check(n >= 3, "auditor: the processing activities of the pupil (filed, changed, read, traject): " + n);
  check(!(await text(page, "#main")).includes(pupil.bsn), "auditor: no BSN on the page");
  await audit(page, "auditor-verwerkingen");
});

// Last, the school withdraws the melding: the reason asked, the melding listed as ingetrokken.
const schoolWithdraws = () => asParty("school-12AB", async (page) => {
  await go(page, "#/meldingen");
  await page.click(`#meldingen tr[data-melding="${meldingId}"] a[href^="#/intrekken"]`);
  await page.waitForSelector("#intrek-form");
  await waitReady(page);
  await page.select("#i-reden", "dubbel");
  await page.click('#intrek-form button[type="submit"]');
  await page.waitForFunction(() => location.hash.startsWith("#/meldingen?verzonden=WD-"), { timeout: 15000 });
  await waitReady(page);
  const row = await text(page, `#meldingen tr[data-melding="${meldingId}"]`);
  check(row.includes("Ingetrokken") && row.includes("niet meer actief"), "school: the withdrawn melding listed as ingetrokken");
  check(!(await has(page, `#meldingen tr[data-melding="${meldingId}"] a[href^="#/wijzigen"]`)), "school: a withdrawn melding offers no changes");
  await audit(page, "school-ingetrokken");
});

// Every field of every berichttype has a Dutch label.
const labels = () => asParty("auditor", async (page) => {
  await go(page, "#/audit");
  const missing = await page.evaluate(async (paths) => {
    const { LABELS } = await import("/ui/names.js");
    return paths.filter((p) => !LABELS[p]);
  }, Object.values(policy.berichttypen).flatMap((t) => Object.keys(t.fields || {})));
  check(missing.length === 0, "a Dutch label for every field of every berichttype" + (missing.length ? ": missing " + missing.join(", ") : ""));
});

try {
  await school();
  await intermediary();
  await coordinator();
  await gemeente();
  await auditor();
  await schoolWithdraws();
  await labels();
} catch (e) {
  failures++;
  console.log("FAIL " + (e && e.stack || e));
}
console.log(visited.length + " pages checked with axe-core; screenshots in " + shots);
process.exit(failures ? 1 : 0);
