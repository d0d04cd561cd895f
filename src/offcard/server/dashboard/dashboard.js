// sefleet dashboard: reads the /v1 API with the admin token and draws campaigns, devices by state,
// progress over time (a hand-written SVG chart) and failures with their reasons.
// No framework, no network besides the server it came from. Every value from the server is put in the
// page with textContent / SVG attributes, never parsed as HTML.
"use strict";

const TOKEN_KEY = "sefleet.admin_token";
const STATES = ["pending", "authorized", "updated", "staged", "retry", "quarantined", "unreachable"];
const SERIES = [
  { key: "updated", color: "#12805c" },
  { key: "in_progress", color: "#2563eb" },
  { key: "failed", color: "#b7791f" },
  { key: "quarantined", color: "#c0392b" },
  { key: "unreachable", color: "#795548" },
];
const SVG_NS = "http://www.w3.org/2000/svg";

const $ = (id) => document.getElementById(id);
let selectedCampaign = null;

// A token given once as "#token=..." (used by scripted checks) goes to sessionStorage and leaves the
// address bar at once, so it stays out of history and bookmarks.
function adoptTokenFromFragment() {
  const match = /^#token=([^&]+)/.exec(window.location.hash);
  if (!match) return;
  sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
  history.replaceState(null, "", window.location.pathname + window.location.search);
}

class Unauthorized extends Error {}

async function api(path) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const response = await fetch(path, { headers: { Authorization: "Bearer " + token, Accept: "application/json" } });
  if (response.status === 401 || response.status === 403) throw new Unauthorized("the server refused the token");
  let body = null;
  try {
    body = await response.json();
  } catch (e) {
    throw new Error(path + ": the answer is not JSON (HTTP " + response.status + ")");
  }
  if (!response.ok) throw new Error(path + ": " + (body && body.error ? body.error : "HTTP " + response.status));
  return body;
}

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
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

function showSignedIn(signedIn) {
  $("sign-in").hidden = signedIn;
  $("overview").hidden = !signedIn;
  $("refresh").hidden = !signedIn;
  $("sign-out").hidden = !signedIn;
  if (!signedIn) $("detail").hidden = true;
}

function renderCampaigns(campaigns) {
  const body = $("campaigns").querySelector("tbody");
  body.replaceChildren();
  $("no-campaigns").hidden = campaigns.length !== 0;
  for (const c of campaigns) {
    const row = el("tr", null, "selectable");
    row.dataset.campaign = c.id;
    if (c.id === selectedCampaign) row.classList.add("selected");
    row.append(el("td", c.name), el("td", c.id, "id"), el("td", c.state, "state"));
    const waves = c.rollout && c.rollout.waves ? c.rollout.waves : [];
    row.append(el("td", waves.length ? (c.current_wave + 1) + "/" + waves.length : "-"));
    row.append(numberCell(c.targets, "campaign-" + c.id + "-targets"));
    const progress = c.progress || {};
    for (const state of STATES) row.append(numberCell(progress[state], "campaign-" + c.id + "-" + state));
    row.addEventListener("click", () => {
      selectedCampaign = c.id;
      refresh();
    });
    body.append(row);
  }
}

function renderDevicesByState(devices) {
  const counts = Object.fromEntries(STATES.map((s) => [s, 0]));
  for (const d of devices) counts[d.state] = (counts[d.state] || 0) + 1;
  const max = Math.max(1, ...Object.values(counts));
  const body = $("devices-by-state").querySelector("tbody");
  body.replaceChildren();
  for (const [state, n] of Object.entries(counts)) {
    const row = el("tr");
    row.append(el("td", state, "state-" + state), numberCell(n, "devices-" + state));
    const barCell = el("td");
    const bar = el("span", null, "bar");
    bar.style.width = Math.round((200 * n) / max) + "px";
    barCell.append(bar);
    row.append(barCell);
    body.append(row);
  }
}

function svg(tag, attributes, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

// A step chart of device counts per state over time: one polyline per series.
function renderChart(samples, targets) {
  const box = $("chart");
  box.replaceChildren();
  const width = 760, height = 260, left = 48, right = 150, top = 12, bottom = 34;
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

  // Axes with a few ticks.
  chart.append(svg("line", { x1: left, y1: y(0), x2: width - right, y2: y(0), stroke: "#667085" }));
  chart.append(svg("line", { x1: left, y1: top, x2: left, y2: y(0), stroke: "#667085" }));
  for (let i = 0; i <= 4; i++) {
    const v = Math.round((yMax * i) / 4);
    chart.append(svg("text", { x: left - 6, y: y(v) + 4, "text-anchor": "end", "font-size": 11 }, v));
    chart.append(svg("line", { x1: left, y1: y(v), x2: width - right, y2: y(v), stroke: "#eef0f3" }));
  }
  chart.append(svg("text", { x: left, y: height - 8, "font-size": 11 }, formatTime(t0)));
  chart.append(svg("text", { x: width - right, y: height - 8, "font-size": 11, "text-anchor": "end" }, formatTime(t1)));

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
                      `${series.key.replace("_", " ")}: ${last}`));
  });
  chart.append(legend);
}

function renderDetail(campaign, samples, events) {
  $("detail").hidden = false;
  $("detail-name").textContent = campaign.name;
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
  if (campaign.image) add("Image", `${campaign.image.type} v${campaign.image.version} (${campaign.image.name})`);
  if (campaign.pse) add("PSE", `${campaign.pse.size} bytes, ${campaign.pse.commands} commands`);
  add("Created", formatTime(campaign.created_at));
  $("detail-pause").hidden = !campaign.pause_reason;
  $("detail-pause").textContent = campaign.pause_reason ? "Paused: " + campaign.pause_reason : "";

  renderChart(samples, campaign.targets);

  // Failures: the decisions that were not a success, with the reason the server logged.
  const failures = events.filter(
      (e) => e.decision === "retry" || e.decision === "quarantined" || e.decision === "unreachable");
  const body = $("failures").querySelector("tbody");
  body.replaceChildren();
  for (const e of failures) {
    const row = el("tr");
    row.append(el("td", formatTime(e.t)), el("td", e.se_id || "-", "id"),
               el("td", e.decision, "state-" + e.decision), el("td", e.detail));
    body.append(row);
  }
  $("failures").dataset.count = failures.length;
  $("no-failures").hidden = failures.length !== 0;
}

// The events of a campaign, every page (the API pages by 1000 with ?after=<id>).
async function allEvents(id) {
  const events = [];
  for (let after = null; ;) {
    const page = await api(`/v1/campaigns/${encodeURIComponent(id)}/events` + (after === null ? "" : `?after=${after}`));
    events.push(...page.events);
    if (page.events.length < 1000) return events;
    after = page.events[page.events.length - 1].id;
  }
}

async function refresh() {
  if (!sessionStorage.getItem(TOKEN_KEY)) {
    showSignedIn(false);
    document.body.dataset.loaded = "true";
    return;
  }
  document.body.dataset.loaded = "false";
  setStatus("loading…");
  try {
    const [list, devices] = await Promise.all([api("/v1/campaigns"), api("/v1/devices")]);
    const campaigns = list.campaigns;
    if (!campaigns.some((c) => c.id === selectedCampaign)) selectedCampaign = campaigns.length ? campaigns[0].id : null;
    showSignedIn(true);
    renderCampaigns(campaigns);
    renderDevicesByState(devices.devices);
    if (selectedCampaign) {
      const id = encodeURIComponent(selectedCampaign);
      const [campaign, timeline, events] = await Promise.all([
        api(`/v1/campaigns/${id}`), api(`/v1/campaigns/${id}/timeline`), allEvents(selectedCampaign)]);
      renderDetail(campaign, timeline.samples, events);
    } else {
      $("detail").hidden = true;
    }
    setStatus(`updated ${formatTime(Date.now() / 1000)} UTC`);
  } catch (error) {
    if (error instanceof Unauthorized) {
      sessionStorage.removeItem(TOKEN_KEY);
      showSignedIn(false);
      $("sign-in-error").hidden = false;
      $("sign-in-error").textContent = "The server refused this token.";
      setStatus("not signed in");
    } else {
      setStatus("error: " + error.message);
    }
  } finally {
    document.body.dataset.loaded = "true";
  }
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
  showSignedIn(false);
  setStatus("not signed in");
});
$("refresh").addEventListener("click", refresh);

adoptTokenFromFragment();
refresh();
