// sefleet dashboard: reads the /v1 API with the admin token and draws campaigns (paused ones first), devices
// by state, a campaign's progress over time (a hand-written SVG chart), its failures and the operator's
// actions (pause, resume, cancel after a confirmation, activate), a paged device list filtered on the
// server, and one device's history with the release of a quarantined or unreachable SE.
// No framework, no network besides the server it came from. Every value from the server is put in the
// page with textContent / SVG attributes, never parsed as HTML.
// Where the operator is (view, campaign, filters, page) lives in the address fragment, so a poll, a reload
// or a bookmark comes back to the same place.
"use strict";

const TOKEN_KEY = "sefleet.admin_token";
const POLL_MS = 5000;
const PAGE_SIZE = 50;
const STATES = ["pending", "authorized", "updated", "staged", "retry", "quarantined", "unreachable"];
// The same colours as dashboard.css (.state-*), for the SVG chart.
const SERIES = [
  { key: "updated", label: "updated", color: "#12805c" },
  { key: "in_progress", label: "authorized (in progress)", color: "#2563eb" },
  { key: "failed", label: "retry", color: "#d97706" },
  { key: "quarantined", label: "quarantined", color: "#c0392b" },
  { key: "unreachable", label: "unreachable", color: "#795548" },
];
// Paused campaigns need the operator: they come first.
const CAMPAIGN_ORDER = { paused: 0, active: 1, completed: 2, cancelled: 3 };
const SVG_NS = "http://www.w3.org/2000/svg";

const $ = (id) => document.getElementById(id);
let busy = false;        // a refresh is running: polls skip rather than pile up
let again = false;       // something asked for a refresh while one was running
let generation = 0;      // a newer navigation makes older answers stale
let lastShown = "";      // the JSON last drawn for the current view: an identical poll draws nothing
let lastRoute = null;    // the fragment the filters were last filled from
let filtersFromRoute = false;

// A token given once as "#token=..." (used by scripted checks) goes to sessionStorage and leaves the
// address bar at once, so it stays out of history and bookmarks; "#token=...&device=..." keeps the rest.
function adoptTokenFromFragment() {
  const match = /^#token=([^&]+)(?:&(.*))?$/.exec(window.location.hash);
  if (!match) return;
  sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
  history.replaceState(null, "", window.location.pathname + window.location.search + (match[2] ? "#" + match[2] : ""));
}

// "#campaign=<id>", "#devices?state=..&campaign=..&q=..&offset=..", "#device=<se>", else the overview.
function route() {
  const hash = window.location.hash.replace(/^#/, "");
  let m = /^campaign=([0-9A-Fa-f]+)$/.exec(hash);
  if (m) return { view: "overview", campaign: m[1].toLowerCase() };
  m = /^device=([0-9A-Fa-f]+)$/.exec(hash);
  if (m) return { view: "device", se: m[1].toLowerCase() };
  m = /^devices(?:\?(.*))?$/.exec(hash);
  if (m) {
    const p = new URLSearchParams(m[1] || "");
    const offset = Math.max(0, parseInt(p.get("offset") || "0", 10) || 0);
    return { view: "devices", state: p.get("state") || "", campaign: (p.get("campaign") || "").toLowerCase(),
             q: p.get("q") || "", match: p.get("match") === "prefix" ? "prefix" : "", offset };
  }
  return { view: "overview", campaign: null };
}

function devicesHash(filters) {
  const p = new URLSearchParams();
  for (const k of ["state", "campaign", "q", "match"]) if (filters[k]) p.set(k, filters[k]);
  if (filters.offset) p.set("offset", String(filters.offset));
  const query = p.toString();
  return "#devices" + (query ? "?" + query : "");
}

class Unauthorized extends Error {}
// A refusal from the API, with the server's reason code and detail.
class ApiError extends Error {
  constructor(status, body) {
    const reason = body && body.reason ? body.reason : "HTTP " + status;
    const detail = body && body.detail ? ": " + body.detail : "";
    super((body && body.error ? body.error : "HTTP " + status) + " (" + reason + detail + ")");
    this.status = status;
    this.reason = reason;
  }
}

async function api(path, body) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const init = { headers: { Authorization: "Bearer " + token, Accept: "application/json" } };
  if (body !== undefined) {
    init.method = "POST";
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (response.status === 401) throw new Unauthorized("the server refused the token");
  let answer = null;
  try {
    answer = await response.json();
  } catch (e) {
    throw new Error(path + ": the answer is not JSON (HTTP " + response.status + ")");
  }
  if (response.status === 403) throw new Unauthorized("the server refused the token");
  if (!response.ok) throw new ApiError(response.status, answer);
  return answer;
}

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function link(text, href, className) {
  const a = el("a", text, className);
  a.href = href;
  return a;
}

function badge(state) {
  return el("span", state, "badge state-" + state);
}

function cell(child) {
  const td = el("td");
  td.append(child);
  return td;
}

function numberCell(value, id) {
  const td = el("td", value === undefined || value === null ? 0 : value, "num");
  if (id) td.id = id;
  return td;
}

function formatTime(t) {
  return new Date(t * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, "");
}

function setStatus(text) {
  $("status").textContent = text;
}

function showResult(text, ok) {
  const box = $("action-result");
  box.hidden = false;
  box.className = ok ? "ok" : "error";
  box.textContent = text;
}

function showView(signedIn, view) {
  $("sign-in").hidden = signedIn;
  for (const id of ["nav", "refresh", "sign-out", "live-label"]) $(id).hidden = !signedIn;
  $("overview").hidden = !signedIn || view !== "overview";
  $("devices").hidden = !signedIn || view !== "devices";
  $("device").hidden = !signedIn || view !== "device";
  if (!signedIn || view !== "overview") $("detail").hidden = true;
}

function sortCampaigns(campaigns) {
  return campaigns
      .map((c, i) => [c, i])
      .sort((a, b) => (CAMPAIGN_ORDER[a[0].state] ?? 9) - (CAMPAIGN_ORDER[b[0].state] ?? 9) || a[1] - b[1])
      .map(([c]) => c);
}

function renderLegend() {
  const box = $("state-legend");
  if (box.childElementCount) return;
  for (const s of STATES) {
    const item = el("span", null, "legend-item");
    item.append(el("span", null, "swatch state-" + s), document.createTextNode(s));
    box.append(item);
  }
}

// One bar made of a segment per device state, its width the share of the campaign's targets.
function stackedBar(c) {
  const bar = el("span", null, "stack");
  const progress = c.progress || {};
  const total = Math.max(1, c.targets || 0);
  for (const s of STATES) {
    const n = progress[s] || 0;
    if (!n) continue;
    const part = el("span", null, "segment state-" + s);
    part.style.width = ((100 * n) / total).toFixed(2) + "%";
    part.title = s + ": " + n;
    part.dataset.state = s;
    bar.append(part);
  }
  return bar;
}

function renderCampaigns(campaigns, selected) {
  renderLegend();
  const body = $("campaigns").querySelector("tbody");
  body.replaceChildren();
  $("no-campaigns").hidden = campaigns.length !== 0;
  for (const c of campaigns) {
    const row = el("tr", null, "selectable campaign-" + c.state);
    row.dataset.campaign = c.id;
    row.id = "campaign-row-" + c.id;
    if (c.id === selected) row.classList.add("selected");
    const name = el("td");
    name.append(link(c.name, "#campaign=" + c.id));
    if (c.state === "paused" && c.pause_reason) {
      const reason = el("div", "paused: " + c.pause_reason, "paused-reason");
      reason.id = "campaign-" + c.id + "-pause-reason";
      name.append(reason);
    }
    row.append(name, el("td", c.id, "id"), el("td", c.image ? c.image.type + " " + c.image.version_text : "-"));
    const stateCell = cell(badge(c.state));
    stateCell.id = "campaign-" + c.id + "-state";
    row.append(stateCell);
    const waves = c.rollout && c.rollout.waves ? c.rollout.waves : [];
    row.append(el("td", waves.length ? (c.current_wave + 1) + "/" + waves.length : "-"));
    row.append(numberCell(c.targets, "campaign-" + c.id + "-targets"));
    const progress = c.progress || {};
    for (const state of STATES) row.append(numberCell(progress[state], "campaign-" + c.id + "-" + state));
    row.append(cell(stackedBar(c)));
    row.addEventListener("click", (event) => {
      if (event.target.closest("a")) return;
      window.location.hash = "#campaign=" + c.id;
    });
    body.append(row);
  }
}

// Devices by state from the campaigns' counts: never a list of every device.
function renderDevicesByState(campaigns) {
  const counts = Object.fromEntries(STATES.map((s) => [s, 0]));
  for (const c of campaigns) for (const s of STATES) counts[s] += (c.progress && c.progress[s]) || 0;
  const max = Math.max(1, ...Object.values(counts));
  const body = $("devices-by-state").querySelector("tbody");
  body.replaceChildren();
  for (const [state, n] of Object.entries(counts)) {
    const row = el("tr");
    row.append(cell(link(state, devicesHash({ state }), "badge state-" + state)), numberCell(n, "devices-" + state));
    const bar = el("span", null, "bar state-" + state);
    bar.style.width = Math.round((200 * n) / max) + "px";
    row.append(cell(bar));
    body.append(row);
  }
}

function svg(tag, attributes, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

// A step chart of device counts per state over time: one polyline per series, axes with their titles
// and a legend with each series' last value.
function renderChart(samples, targets) {
  const box = $("chart");
  box.replaceChildren();
  const width = 860, height = 280, left = 56, right = 210, top = 12, bottom = 48;
  const chart = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img", id: "chart-svg",
                             "aria-label": "progress over time", "data-samples": samples.length });
  box.append(chart);
  if (samples.length === 0) {
    chart.append(svg("text", { x: left, y: height / 2 }, "No progress yet."));
    return;
  }
  const t0 = samples[0].t;
  const t1 = Math.max(samples[samples.length - 1].t, t0 + 1);
  const yMax = Math.max(1, targets || 0, ...samples.map((s) => Math.max(...SERIES.map((x) => s[x.key] || 0))));
  const x = (t) => left + ((t - t0) / (t1 - t0)) * (width - left - right);
  const y = (v) => top + (1 - v / yMax) * (height - top - bottom);

  chart.append(svg("line", { x1: left, y1: y(0), x2: width - right, y2: y(0), stroke: "#667085" }));
  chart.append(svg("line", { x1: left, y1: top, x2: left, y2: y(0), stroke: "#667085" }));
  for (let i = 0; i <= 4; i++) {
    const v = Math.round((yMax * i) / 4);
    chart.append(svg("text", { x: left - 6, y: y(v) + 4, "text-anchor": "end", "font-size": 11 }, v));
    chart.append(svg("line", { x1: left, y1: y(v), x2: width - right, y2: y(v), stroke: "#eef0f3" }));
  }
  chart.append(svg("text", { x: left, y: height - 26, "font-size": 11 }, formatTime(t0)));
  chart.append(svg("text", { x: width - right, y: height - 26, "font-size": 11, "text-anchor": "end" }, formatTime(t1)));
  chart.append(svg("text", { x: (left + width - right) / 2, y: height - 6, "font-size": 12, "text-anchor": "middle",
                             id: "chart-x-title" }, "time (UTC)"));
  chart.append(svg("text", { x: 14, y: (top + y(0)) / 2, "font-size": 12, "text-anchor": "middle", id: "chart-y-title",
                             transform: `rotate(-90 14 ${(top + y(0)) / 2})` }, "devices"));

  const legend = svg("g", { class: "legend" });
  SERIES.forEach((series, i) => {
    const points = [];
    samples.forEach((s, k) => {
      if (k > 0) points.push(`${x(s.t)},${y(samples[k - 1][series.key] || 0)}`);  // steps, not slopes
      points.push(`${x(s.t)},${y(s[series.key] || 0)}`);
    });
    chart.append(svg("polyline", { points: points.join(" "), fill: "none", stroke: series.color, "stroke-width": 2,
                                   "data-series": series.key }));
    const last = samples[samples.length - 1][series.key] || 0;
    const ly = top + 14 + i * 18;
    legend.append(svg("rect", { x: width - right + 12, y: ly - 9, width: 10, height: 10, fill: series.color }));
    legend.append(svg("text", { x: width - right + 28, y: ly, id: "chart-last-" + series.key },
                      `${series.label}: ${last}`));
  });
  chart.append(legend);
}

// The operator's actions this campaign's state allows; the server still decides (409 with its reason).
function renderActions(campaign) {
  const activation = campaign.activation || {};
  const open = campaign.state === "active" || campaign.state === "paused";
  $("action-pause").hidden = campaign.state !== "active";
  $("action-resume").hidden = campaign.state !== "paused";
  $("action-cancel").hidden = !open;
  $("action-activate").hidden = !(open && activation.mode === "deferred" && !activation.activated);
  $("actions").dataset.campaign = campaign.id;
  $("cancel-confirm-name").textContent = campaign.name;
  if (!open) $("cancel-confirm").hidden = true;
}

function renderDetail(campaign, samples, failures) {
  $("detail").hidden = false;
  $("detail-name").textContent = campaign.name;
  $("detail-state-badge").textContent = campaign.state;
  $("detail-state-badge").className = "badge state-" + campaign.state;
  renderActions(campaign);
  const facts = $("detail-facts");
  facts.replaceChildren();
  const activation = campaign.activation || {};
  const add = (name, value, id) => {
    facts.append(el("dt", name));
    const dd = el("dd", value);
    if (id) dd.id = id;
    facts.append(dd);
  };
  add("Id", campaign.id);
  add("State", campaign.state, "detail-state");
  add("Targets", campaign.targets, "detail-targets");
  add("Admitted", campaign.admitted, "detail-admitted");
  add("Activation", activation.mode + (activation.at ? " at " + formatTime(activation.at) : "") +
                    (activation.mode === "deferred" ? (activation.activated ? " (activated)" : " (not yet)") : ""));
  if (campaign.image) {
    add("Image", `${campaign.image.type} ${campaign.image.version_text} (${campaign.image.name})`, "detail-image");
  }
  if (campaign.pse) add("PSE", `${campaign.pse.size} bytes, ${campaign.pse.commands} commands`);
  add("Created", formatTime(campaign.created_at));
  $("detail-pause").hidden = !campaign.pause_reason;
  $("detail-pause").textContent = campaign.pause_reason ? "Paused: " + campaign.pause_reason : "";
  $("detail-devices").href = devicesHash({ campaign: campaign.id });

  renderChart(samples, campaign.targets);

  // Failures: the decisions that were not a success, with the reason the server logged.
  const body = $("failures").querySelector("tbody");
  body.replaceChildren();
  for (const e of failures) {
    const row = el("tr");
    row.append(el("td", formatTime(e.t)), e.se_id ? cell(link(e.se_id, "#device=" + e.se_id, "id")) : el("td", "-"),
               cell(badge(e.decision)), el("td", e.detail));
    body.append(row);
  }
  $("failures").dataset.count = failures.length;
  $("no-failures").hidden = failures.length !== 0;
}

// The failure events of a campaign (decision retry, quarantined or unreachable), filtered by the server,
// every page (the API pages by 1000 with ?after=<id>): the other events (authorizations, successes) are
// never transferred. Events are only ever appended, so a poll asks only for those after the last one it has.
const FAILURE_DECISIONS = "retry,quarantined,unreachable";
const failureCache = { campaign: null, events: [] };
async function allFailures(id) {
  if (failureCache.campaign !== id) {
    failureCache.campaign = id;
    failureCache.events = [];
  }
  const events = failureCache.events;
  for (;;) {
    const after = events.length ? events[events.length - 1].id : null;
    const page = await api(`/v1/campaigns/${encodeURIComponent(id)}/events?decision=${FAILURE_DECISIONS}` +
                           (after === null ? "" : `&after=${after}`));
    // Two refreshes may overlap (a navigation during a poll): keep each event once.
    const last = events.length ? events[events.length - 1].id : -Infinity;
    events.push(...page.events.filter((e) => e.id > last));
    if (page.events.length < 1000) return events.slice();
  }
}

function fillCampaignOptions(campaigns, selected) {
  const select = $("filter-campaign");
  const wanted = ["", ...campaigns.map((c) => c.id)];
  const have = Array.from(select.options).map((o) => o.value);
  if (wanted.join() !== have.join()) {
    select.replaceChildren(el("option", "any"));
    select.options[0].value = "";
    for (const c of campaigns) {
      const option = el("option", `${c.name} (${c.id.slice(0, 8)}…)`);
      option.value = c.id;
      select.append(option);
    }
  }
  if (selected !== undefined) select.value = selected;
}

function renderDeviceList(r, answer) {
  const body = $("device-list").querySelector("tbody");
  body.replaceChildren();
  for (const d of answer.devices) {
    const row = el("tr");
    row.dataset.se = d.se_id;
    row.append(cell(link(d.se_id, "#device=" + d.se_id, "id")), cell(link(d.campaign, "#campaign=" + d.campaign, "id")),
               cell(badge(d.state)), numberCell(d.attempts), numberCell(d.unverified_attempts),
               el("td", d.updated_at ? formatTime(d.updated_at) : "-"), el("td", d.reason || ""));
    body.append(row);
  }
  const total = answer.total || 0;
  $("devices-total").textContent = total;
  $("devices-range").textContent =
      answer.devices.length ? `${r.offset + 1}–${r.offset + answer.devices.length}` : "none";
  $("device-list").dataset.rows = answer.devices.length;
  $("devices-prev").disabled = r.offset === 0;
  $("devices-next").disabled = r.offset + PAGE_SIZE >= total;
}

function renderDevice(se, answer) {
  $("device-se").textContent = answer.se_id;
  const images = $("device-images").querySelector("tbody");
  images.replaceChildren();
  for (const i of answer.images) {
    const row = el("tr");
    row.append(el("td", i.type), el("td", i.version_text), el("td", i.sha256, "id"),
               cell(link(i.campaign, "#campaign=" + i.campaign, "id")), el("td", formatTime(i.t)));
    images.append(row);
  }
  // A note being typed survives a poll that redraws the rows.
  const notes = {};
  for (const input of document.querySelectorAll("#device-campaigns input[data-campaign]")) {
    notes[input.dataset.campaign] = input.value;
  }
  const campaigns = $("device-campaigns").querySelector("tbody");
  campaigns.replaceChildren();
  for (const c of answer.campaigns) {
    const row = el("tr");
    row.id = "device-campaign-" + c.campaign;
    row.dataset.state = c.state;
    const release = el("td");
    if (c.state === "quarantined" || c.state === "unreachable") {
      const note = el("input");
      note.type = "text";
      note.placeholder = "note (why it is released)";
      note.dataset.campaign = c.campaign;
      note.id = "release-note-" + c.campaign;
      note.value = notes[c.campaign] || "";
      const button = el("button", "Release");
      button.type = "button";
      button.id = "release-" + c.campaign;
      button.addEventListener("click", () => releaseDevice(se, c.campaign, note.value.trim(), button));
      release.append(note, button);
    }
    row.append(cell(link(c.campaign, "#campaign=" + c.campaign, "id")), cell(badge(c.state)), numberCell(c.attempts),
               numberCell(c.unverified_attempts), el("td", c.retry_at ? formatTime(c.retry_at) : "-"),
               el("td", c.reason || ""), release);
    campaigns.append(row);
  }
  const history = $("device-history").querySelector("tbody");
  history.replaceChildren();
  let reports = 0;
  for (const a of answer.history) {
    const authorization = `${a.action} ${a.authorization_id}`;
    const head = el("tr", null, "authorization");
    head.append(el("td", formatTime(a.t)), cell(link(a.campaign, "#campaign=" + a.campaign, "id")),
                el("td", authorization, "id"), el("td", a.reports.length ? "" : "no report yet"), el("td"), el("td"),
                el("td"), el("td"));
    history.append(head);
    for (const r of a.reports) {
      const row = el("tr", null, "report");
      row.append(el("td", formatTime(r.t)), el("td"), el("td"), el("td", r.outcome), el("td", r.evidence),
                 r.decision ? cell(badge(r.decision)) : el("td", "-"), el("td", r.counted ? "yes" : "no"),
                 el("td", r.reason || ""));
      history.append(row);
      reports++;
    }
  }
  $("device-history").dataset.authorizations = answer.history.length;
  $("device-history").dataset.reports = reports;
}

async function campaignAction(op) {
  const id = $("actions").dataset.campaign;
  if (!id) return;
  for (const b of document.querySelectorAll("#actions button, #cancel-confirm button")) b.disabled = true;
  try {
    const campaign = await api(`/v1/campaigns/${encodeURIComponent(id)}/${op}`, {});
    showResult(`${op}: campaign ${campaign.name} is now ${campaign.state}`, true);
  } catch (error) {
    showResult(`${op} refused: ${error.message}`, false);
  } finally {
    for (const b of document.querySelectorAll("#actions button, #cancel-confirm button")) b.disabled = false;
    $("cancel-confirm").hidden = true;
  }
  lastShown = "";
  await refresh();
}

async function releaseDevice(se, campaign, note, button) {
  button.disabled = true;
  try {
    const body = { campaign };
    if (note) body.note = note;
    const answer = await api(`/v1/devices/${encodeURIComponent(se)}/release`, body);
    const moves = answer.released.map((r) => `${r.from} → ${r.to}`).join(", ");
    showResult(`release: SE ${answer.se_id} ${moves}`, true);
  } catch (error) {
    showResult(`release refused: ${error.message}`, false);
  } finally {
    button.disabled = false;
  }
  lastShown = "";
  await refresh();
}

// Loads what the current view needs, then draws it only if it changed since the last draw.
async function load(r) {
  if (r.view === "device") {
    const answer = await api(`/v1/devices/${encodeURIComponent(r.se)}`);
    return [answer, () => renderDevice(r.se, answer)];
  }
  const list = await api("/v1/campaigns");
  const campaigns = sortCampaigns(list.campaigns);
  if (r.view === "devices") {
    const p = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(r.offset) });
    if (r.state) p.set("state", r.state);
    if (r.campaign) p.set("campaign", r.campaign);
    if (r.q) p.set("q", r.q);
    if (r.q && r.match) p.set("match", r.match);  // prefix: a range of the server's SE id index
    const answer = await api("/v1/devices?" + p.toString());
    return [[campaigns, answer], () => {
      fillCampaignOptions(campaigns, filtersFromRoute ? r.campaign : undefined);
      filtersFromRoute = false;
      renderDeviceList(r, answer);
    }];
  }
  const selected = campaigns.some((c) => c.id === r.campaign) ? r.campaign : (campaigns.length ? campaigns[0].id : null);
  let detail = null;
  if (selected) {
    const id = encodeURIComponent(selected);
    const [campaign, timeline, failures] =
        await Promise.all([api(`/v1/campaigns/${id}`), api(`/v1/campaigns/${id}/timeline`), allFailures(selected)]);
    detail = [campaign, timeline.samples, failures];
  }
  return [[campaigns, detail], () => {
    renderCampaigns(campaigns, selected);
    renderDevicesByState(campaigns);
    if (detail) renderDetail(...detail);
    else $("detail").hidden = true;
  }];
}

// Filters shown as the fragment says, only when the fragment changed (a poll leaves a half-typed search alone).
function syncFilters(r) {
  const key = window.location.hash;
  if (key === lastRoute) return;
  lastRoute = key;
  lastShown = "";
  $("action-result").hidden = true;
  $("cancel-confirm").hidden = true;
  if (r.view !== "devices") return;
  $("filter-state").value = r.state;
  $("filter-q").value = r.q;
  $("filter-match").value = r.match;
  filtersFromRoute = true;  // the campaign choice is set once its options are known
}

async function refresh() {
  if (!sessionStorage.getItem(TOKEN_KEY)) {
    showView(false);
    document.body.dataset.loaded = "true";
    return;
  }
  if (busy) {
    again = true;  // an action's result must not wait for the next poll
    return;
  }
  busy = true;
  const mine = ++generation;
  const r = route();
  syncFilters(r);
  setStatus("loading…");
  try {
    const [data, draw] = await load(r);
    if (mine !== generation) return;
    showView(true, r.view);
    const shown = JSON.stringify(data);
    if (shown !== lastShown) {
      draw();
      lastShown = shown;
    }
    setStatus(`updated ${formatTime(Date.now() / 1000)} UTC`);
  } catch (error) {
    if (error instanceof Unauthorized) {
      sessionStorage.removeItem(TOKEN_KEY);
      showView(false);
      $("sign-in-error").hidden = false;
      $("sign-in-error").textContent = "The server refused this token.";
      setStatus("not signed in");
    } else {
      setStatus("error: " + error.message);
    }
  } finally {
    busy = false;
    document.body.dataset.loaded = "true";
    if (again) {
      again = false;
      setTimeout(refresh, 0);
    }
  }
}

function poll() {
  if (!$("live").checked || document.hidden || !$("cancel-confirm").hidden) return;
  refresh();
}

function goToDevices(changes) {
  const r = route();
  const base = r.view === "devices" ? r : { state: "", campaign: "", q: "", match: "", offset: 0 };
  window.location.hash = devicesHash(Object.assign({}, base, changes));
}

for (const s of STATES) {
  const option = el("option", s);
  option.value = s;
  $("filter-state").append(option);
}
$("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $("token-input").value.trim());
  $("token-input").value = "";
  $("sign-in-error").hidden = true;
  refresh();
});
$("sign-out").addEventListener("click", () => {
  sessionStorage.removeItem(TOKEN_KEY);
  showView(false);
  setStatus("not signed in");
});
$("refresh").addEventListener("click", () => {
  lastShown = "";
  refresh();
});
$("device-filter").addEventListener("submit", (event) => {
  event.preventDefault();
  goToDevices({ state: $("filter-state").value, campaign: $("filter-campaign").value,
                q: $("filter-q").value.trim(), match: $("filter-match").value, offset: 0 });
});
$("devices-prev").addEventListener("click", () => goToDevices({ offset: Math.max(0, route().offset - PAGE_SIZE) }));
$("devices-next").addEventListener("click", () => goToDevices({ offset: route().offset + PAGE_SIZE }));
$("action-pause").addEventListener("click", () => campaignAction("pause"));
$("action-resume").addEventListener("click", () => campaignAction("resume"));
$("action-activate").addEventListener("click", () => campaignAction("activate"));
$("action-cancel").addEventListener("click", () => {
  $("cancel-confirm").hidden = false;
});
$("cancel-confirm-no").addEventListener("click", () => {
  $("cancel-confirm").hidden = true;
});
$("cancel-confirm-yes").addEventListener("click", () => campaignAction("cancel"));
window.addEventListener("hashchange", () => {
  generation++;  // an answer for the previous place is not drawn
  busy = false;
  refresh();
});

adoptTokenFromFragment();
refresh();
setInterval(poll, POLL_MS);
