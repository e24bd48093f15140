// RTCM Planner: the planner's page. Plain JavaScript over the JSON API, no build step.
"use strict";

// ---------------------------------------------------------------------------- state

const state = {
  token: sessionStorage.getItem("rtcm-token"),
  problems: [],
  problemId: "default",
  job: null,          // the job whose calendar is shown (JobOut)
  following: null,    // the job being solved, while it runs
  stream: null,       // AbortController of the event stream
  points: [],         // progress of the job being solved: {t, objective, bound}
  timeLimit: 30,
  view: null,         // CalendarView of state.job
  schedule: null,     // {jobId, promise, value, error}: the schedule of state.job, read once
  parity: null,
  scenarios: [],
  run: null,          // the scenario run shown (ScenarioRunOut)
  runTimer: null,
  frontier: null,     // the frontier run shown (FrontierRunOut)
  frontierTimer: null,
  rollout: null,      // {key, plan}: the rollout shown, of state.job over rolloutYears
  rolloutYears: null, // years chosen on the page; null: the problem's own
  layout: "year",
  month: null,        // "YYYY-MM"
  versions: null,     // the published versions, newest first (PublishedVersion), once read
  newestShown: null,  // the newest version when the choices were last filled: a newer one resets them
  feeds: [],          // the subscription feeds (FeedOut)
  feedNote: null,     // {id, text}: what last happened to a feed (rotated), said on its row
  diffs: new Map(),   // "m/n" -> the promise of the diff from version m to n: versions never change
  diffShown: null,    // the "m/n" asked for last
  notices: null,      // {key, n, since, list, sent}: the notices of version n since version m
  robustness: null,   // the robustness run shown (RobustnessRunOut)
  robustnessStream: null,  // AbortController of its event stream
  robustnessTimer: null,
};

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

/** An element: h("td", {class: "x", onclick: f}, "text", child, ...). Text is never parsed as HTML. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "style" && typeof value === "object") Object.assign(el.style, value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

const SVG = "http://www.w3.org/2000/svg";
function s(tag, attrs) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs || {})) el.setAttribute(key, value);
  return el;
}

// ---------------------------------------------------------------------------- formats

const DAY = 86400000;
const toDay = (iso) => { const [y, m, d] = iso.split("-").map(Number); return Date.UTC(y, m - 1, d); };
const isoOf = (ms) => new Date(ms).toISOString().slice(0, 10);
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
  "October", "November", "December"];
const formatter = (show) => ({ format: (ms) => show(new Date(ms)) });
// Dates as planners write them ("Tue 5 Jan 2027"), the same in every browser and locale.
const F_SHORT = formatter((d) => `${WEEKDAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()].slice(0, 3)}`);
const F_FULL = formatter((d) => `${F_SHORT.format(d)} ${d.getUTCFullYear()}`);
const F_MONTH = formatter((d) => `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`);
const F_MON = formatter((d) => MONTHS[d.getUTCMonth()].slice(0, 3));
const F_STAMP = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });

function dateSpan(start, end) {
  if (start === end) return F_FULL.format(toDay(start));
  return `${F_SHORT.format(toDay(start))} – ${F_FULL.format(toDay(end))}`;
}
const num = (x, digits = 1) => x === null || x === undefined ? "–"
  : Number(x).toLocaleString("en-GB", { maximumFractionDigits: digits });
const pct = (x, digits = 1) => x === null || x === undefined ? "–" : `${(100 * x).toFixed(digits)} %`;
const usd = (x) => x === null || x === undefined ? "–" : `${Number(x).toLocaleString("en-GB")} USD`;
const secs = (x) => x === null || x === undefined ? "–" : `${Number(x).toFixed(1)} s`;
const plural = (n, one, many) => `${n} ${n === 1 ? one : (many || one + "s")}`;
const words = (text) => String(text || "").replaceAll("_", " ");

// ---------------------------------------------------------------------------- API

class ApiFailure extends Error {
  constructor(status, body) {
    super(body && body.detail ? body.detail : `the service answered ${status}`);
    this.status = status;
    // Each error is an object (message, kind, record, field, pointer); the page shows its message.
    const errors = (body && body.errors) || [];
    this.errors = errors.map((e) => (typeof e === "string" ? e : e.message));
    this.fields = errors.map((e) => (e && e.field && e.field.length ? String(e.field[0]) : null));
  }
}

function authHeaders() {
  return state.token ? { Authorization: `Bearer ${state.token}` } : {};
}

let tokenAsked = null;
function askToken() {
  // One dialog for every request that was refused at once.
  if (!tokenAsked) {
    tokenAsked = new Promise((resolve) => {
      const dialog = $("#token-dialog");
      $("#token-input").value = "";
      dialog.addEventListener("close", () => {
        const token = $("#token-input").value.trim();
        state.token = token || null;
        if (token) sessionStorage.setItem("rtcm-token", token);
        tokenAsked = null;
        resolve(Boolean(token));
      }, { once: true });
      dialog.showModal();
    });
  }
  return tokenAsked;
}

/** fetch with the token; a 401 asks for the token once and tries again. */
async function request(path, options = {}) {
  for (;;) {
    const response = await fetch(path, { ...options, headers: { ...authHeaders(), ...(options.headers || {}) } });
    if (response.status === 401 && await askToken()) continue;
    return response;
  }
}

/** The service's answer: its status and its JSON; an error status throws an ApiFailure. */
async function apiAnswer(path, { method = "GET", json, body } = {}) {
  const options = { method };
  if (json !== undefined) {
    options.body = JSON.stringify(json);
    options.headers = { "Content-Type": "application/json" };
  } else if (body !== undefined) {
    options.body = body;
  }
  const response = await request(path, options);
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (err) { data = { detail: text }; }
  if (!response.ok) throw new ApiFailure(response.status, data);
  return { status: response.status, data };
}

async function api(path, options) {
  return (await apiAnswer(path, options)).data;
}

function showAlert(err) {
  const alert = $("#alert");
  if (!err) { alert.hidden = true; return; }
  alert.textContent = err instanceof ApiFailure || err instanceof Error ? err.message : String(err);
  alert.hidden = false;
}

// ---------------------------------------------------------------------------- tabs

const TABS = ["solve", "calendar", "parity", "scenarios", "frontier", "rollout", "downloads", "published", "robustness"];

function showTab(name, focus = false) {
  if (!TABS.includes(name)) name = "solve";
  const changed = $(`#view-${name}`).hidden;
  for (const tab of TABS) {
    const button = $(`#tab-${tab}`);
    const selected = tab === name;
    button.setAttribute("aria-selected", String(selected));
    button.tabIndex = selected ? 0 : -1;
    $(`#view-${tab}`).hidden = !selected;
  }
  if (focus) $(`#tab-${name}`).focus();
  if (changed) window.scrollTo(0, 0);
  if (location.hash !== `#${name}`) history.replaceState(null, "", `#${name}`);
  if (name === "rollout") loadRollout();  // planned when first looked at, not with every calendar opened
  if (name === "published") loadPublished();  // read again each time: another planner may have published
  if (name === "robustness") loadRobustnessCalendars();  // the versions and solves there are now
}

function setupTabs() {
  for (const tab of TABS) $(`#tab-${tab}`).addEventListener("click", () => showTab(tab));
  $(".tabs").addEventListener("keydown", (event) => {
    const i = TABS.findIndex((t) => $(`#tab-${t}`) === document.activeElement);
    if (i < 0) return;
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (event.key === "Home") showTab(TABS[0], true);
    else if (event.key === "End") showTab(TABS[TABS.length - 1], true);
    else if (step) showTab(TABS[(i + step + TABS.length) % TABS.length], true);
    else return;
    event.preventDefault();
  });
  window.addEventListener("hashchange", () => showTab(location.hash.slice(1)));
  showTab(location.hash.slice(1) || "solve");
}

// ---------------------------------------------------------------------------- problems

const PROBLEMS_PAGE = 500;

async function loadProblems() {
  // The service lists problems a page at a time; the page shows them all.
  const problems = [];
  for (;;) {
    const page = await api(`/problems?limit=${PROBLEMS_PAGE}&offset=${problems.length}`);
    problems.push(...page);
    if (page.length < PROBLEMS_PAGE) break;
  }
  state.problems = problems;
  if (!state.problems.some((p) => p.id === state.problemId)) state.problemId = "default";
  renderProblems();
}

function renderProblems() {
  const body = $("#problems tbody");
  body.replaceChildren(...state.problems.map((p) => {
    const f = p.facts;
    const id = `problem-${p.id}`;
    const row = h("tr", { class: p.id === state.problemId ? "chosen" : null },
      h("td", {}, h("input", {
        type: "radio", name: "problem", id, value: p.id, checked: p.id === state.problemId,
        onchange: () => chooseProblem(p.id),
      })),
      h("td", {}, h("label", { for: id }, h("strong", {}, p.name)),
        f.description ? h("div", { class: "sub" }, f.description) : null),
      h("td", { class: "num" }, f.editions), h("td", { class: "num" }, f.trainers),
      h("td", { class: "num" }, f.rooms), h("td", {}, f.horizon_start.slice(0, 4)),
      h("td", { class: "sub nowrap" }, p.builtin ? "built in" : p.source));
    return row;
  }));
  const chosen = state.problems.find((p) => p.id === state.problemId);
  $("#chosen-problem").textContent = chosen ? chosen.name : state.problemId;
  $("#frontier-problem").textContent = chosen ? chosen.name : state.problemId;
}

async function chooseProblem(id) {
  state.problemId = id;
  renderProblems();
  await loadJobs();
}

async function upload(event) {
  event.preventDefault();
  const input = $("#upload-file");
  const out = $("#upload-result");
  const file = input.files[0];
  if (!file) return;
  const form = new FormData();
  form.append("file", file);
  out.replaceChildren(h("p", { class: "message" }, `Reading ${file.name}…`));
  $("#upload-button").disabled = true;
  try {
    const problem = await api("/problems", { method: "POST", body: form });
    state.problemId = problem.id;
    input.value = "";
    await loadProblems();  // the page names it the chosen problem before the message says so
    out.replaceChildren(h("p", { class: "ok" },
      `✓ ${file.name}: “${problem.name}”, ${plural(problem.facts.editions, "edition")}, `
      + `${plural(problem.facts.trainers, "trainer")}. It is now the chosen problem.`));
    await loadJobs();
  } catch (err) {
    const errors = err.errors || [];
    out.replaceChildren(
      h("p", { class: "bad" }, errors.length
        ? `✗ ${file.name} cannot be used: ${plural(errors.length, "error")} to fix`
        : `✗ ${file.name} cannot be used: ${err.message}`),
      ...(errors.length ? [h("ul", { class: "error-list" }, errors.map((e) => h("li", {}, e)))] : []));
  } finally {
    $("#upload-button").disabled = false;
  }
}

// ---------------------------------------------------------------------------- jobs

async function loadJobs() {
  const jobs = await api(`/jobs?problem_id=${encodeURIComponent(state.problemId)}&limit=10`);
  const body = $("#jobs tbody");
  if (!jobs.length) {
    body.replaceChildren(h("tr", {}, h("td", { colspan: 7, class: "sub" }, "None yet.")));
    return jobs;
  }
  body.replaceChildren(...jobs.map((job) => {
    const sum = job.summary || {};
    const shown = state.job && state.job.id === job.id;
    return h("tr", { class: shown ? "chosen" : null },
      h("td", { class: "nowrap" }, F_STAMP.format(new Date(job.created_at))),
      h("td", {}, h("span", { class: `pill state-${job.state}` }, job.state),
        sum.status ? h("span", { class: "sub" }, ` ${sum.status.toLowerCase()}`) : null),
      h("td", { class: "num" }, sum.editions_total ? `${sum.editions_scheduled} / ${sum.editions_total}` : "–"),
      h("td", { class: "num" }, num((job.progress || {}).objective)),
      h("td", { class: "num" }, pct((job.progress || {}).gap)),
      h("td", { class: "num" }, secs((job.progress || {}).elapsed_s)),
      h("td", {}, job.has_schedule
        ? h("button", { type: "button", onclick: () => openJob(job, true) }, shown ? "Shown" : "Open")
        : (["queued", "running"].includes(job.state)
          ? h("button", { type: "button", onclick: () => follow(job) }, "Follow") : "")));
  }));
  return jobs;
}

function solveOptions() {
  const limit = Number($("#time-limit").value) || 30;
  const mode = $("input[name=mode]:checked").value;
  return {
    time_limit_s: limit,
    relative_gap: mode === "good" ? 0.05 : 0,
    deterministic: mode === "repeatable",
  };
}

async function startSolve(event) {
  event.preventDefault();
  showAlert(null);
  const options = solveOptions();
  $("#solve-button").disabled = true;
  try {
    const job = await api(`/problems/${encodeURIComponent(state.problemId)}/solve`,
      { method: "POST", json: options });
    state.timeLimit = options.time_limit_s;
    follow(job);
    loadJobs();
  } catch (err) {
    $("#solve-button").disabled = false;
    showAlert(err.status === 429 ? `${err.message} (the solver is busy)` : err);
  }
}

async function stopSolve() {
  if (!state.following) return;
  $("#stop-button").disabled = true;
  $("#solve-message").textContent = "Stopping… the best calendar found so far is kept.";
  try {
    await api(`/jobs/${state.following.id}`, { method: "DELETE" });
  } catch (err) {
    showAlert(err);
  }
}

function follow(job) {
  if (state.stream) state.stream.abort();
  state.following = job;
  state.points = [];
  state.timeLimit = (job.options && job.options.time_limit_s) || state.timeLimit;
  $("#solve-button").disabled = true;
  $("#stop-button").disabled = false;
  $("#solve-message").textContent = "The solver looks for a first calendar, then for better ones.";
  showProgress(job.state, job.progress);
  readEvents(job.id).catch(() => pollJob(job.id));
}

/** Follow a solve over its event stream; once it ends without an "end", ask for the job instead. */
async function readEvents(jobId) {
  const controller = new AbortController();
  state.stream = controller;
  await readStream(`/jobs/${jobId}/events`, controller, (event, data) => onEvent(jobId, event, data));
  if (state.following && state.following.id === jobId) pollJob(jobId);  // ended without an "end"
}

/** Server-sent events read with fetch, so that the token header travels too: each to ``handle(event, data)``
 *  until the stream ends (or ``controller`` aborts it). */
async function readStream(path, controller, handle) {
  const response = await request(path, { signal: controller.signal });
  if (!response.ok || !response.body) throw new Error("no event stream");
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value.replaceAll("\r\n", "\n");
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const chunk = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = "message";
      const data = [];
      for (const line of chunk.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trim());
      }
      if (data.length) handle(event, JSON.parse(data.join("\n")));
    }
  }
}

async function pollJob(jobId) {
  while (state.following && state.following.id === jobId) {
    const job = await api(`/jobs/${jobId}`);
    if (!["queued", "running"].includes(job.state)) { onEvent(jobId, "end", job); return; }
    onEvent(jobId, "progress", job.progress || {});
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function onEvent(jobId, event, data) {
  if (!state.following || state.following.id !== jobId) return;
  if (event === "state") showProgress(data.state, null);
  else if (event === "progress") showProgress("running", data);
  else if (event === "shutdown") $("#solve-message").textContent = data.detail;
  else if (event === "end") finishSolve(data);
}

function showProgress(jobState, progress) {
  if (jobState) $("#p-state").textContent = jobState;
  if (!progress) return;
  $("#p-objective").textContent = num(progress.objective);
  $("#p-bound").textContent = num(progress.bound);
  $("#p-gap").textContent = pct(progress.gap);
  $("#p-elapsed").textContent = secs(progress.elapsed_s);
  $("#p-solutions").textContent = progress.solutions ?? "–";
  if (progress.elapsed_s !== undefined) {
    state.points.push({ t: progress.elapsed_s, objective: progress.objective, bound: progress.bound });
    drawChart();
  }
}

function drawChart() {
  const svg = $("#chart");
  const W = 600, H = 170, L = 58, R = 10, T = 10, B = 22;
  svg.replaceChildren();
  const pts = state.points;
  const values = pts.flatMap((p) => [p.objective, p.bound]).filter((v) => v !== null && v !== undefined);
  const tMax = Math.max(state.timeLimit || 1, ...pts.map((p) => p.t));
  svg.append(s("rect", { x: L, y: T, width: W - L - R, height: H - T - B, class: "plot" }));
  const label = (x, y, text, anchor) => {
    const el = s("text", { x, y, "text-anchor": anchor, class: "axis" });
    el.textContent = text;
    svg.append(el);
  };
  label(L, H - 6, "0 s", "start");
  label(W - R, H - 6, `${Math.round(tMax)} s`, "end");
  if (!values.length) { label((L + W - R) / 2, H / 2, "waiting for a first calendar…", "middle"); return; }
  // The range follows the calendars found and the latest bound: an early, weak bound would
  // flatten the curve, so it is drawn at the bottom edge instead.
  const objectives = pts.map((p) => p.objective).filter((v) => v !== null && v !== undefined);
  const bounds = pts.map((p) => p.bound).filter((v) => v !== null && v !== undefined);
  const shown = objectives.length ? objectives.concat(bounds.length ? [bounds[bounds.length - 1]] : []) : values;
  let lo = Math.min(...shown), hi = Math.max(...shown);
  if (hi - lo < 1e-9) { lo -= 1; hi += 1; }
  const pad = (hi - lo) * 0.08;
  lo -= pad; hi += pad;
  const x = (t) => L + (W - L - R) * t / tMax;
  const y = (v) => T + (H - T - B) * (1 - (Math.max(lo, Math.min(hi, v)) - lo) / (hi - lo));
  label(L - 6, T + 10, num(hi, 0), "end");
  label(L - 6, H - B, num(lo, 0), "end");
  for (const [key, cls] of [["bound", "bound"], ["objective", "objective"]]) {
    const seen = pts.filter((p) => p[key] !== null && p[key] !== undefined);
    if (!seen.length) continue;
    let d = "";
    seen.forEach((p, i) => {
      d += i === 0 ? `M${x(p.t)},${y(p[key])}` : `H${x(p.t)}V${y(p[key])}`;  // steps: a value holds until the next
    });
    d += `H${x(pts[pts.length - 1].t)}`;
    svg.append(s("path", { d, class: `line ${cls}` }));
  }
}

const STATUS_NOTE = {
  OPTIMAL: "proven the best calendar for these weights",
  FEASIBLE: "every hard rule is met; not proven the best (see the gap)",
  INFEASIBLE: "no calendar meets every hard rule together",
  UNKNOWN: "no calendar found in the time allowed",
  MODEL_INVALID: "the solver rejected the model: please report it",
  INVALID_INPUT: "the problem did not validate",
};

async function finishSolve(job) {
  if (state.stream) state.stream.abort();
  state.stream = null;
  state.following = null;
  $("#solve-button").disabled = false;
  $("#stop-button").disabled = true;
  showProgress(job.state, job.progress);
  const sum = job.summary || {};
  const sentence = (text) => text.charAt(0).toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? "" : ".");
  const parts = [];
  const stopped = ["cancelled", "interrupted"].includes(job.state);
  if (sum.status && (job.has_schedule || !stopped)) {
    parts.push(sentence(`${sum.status.toLowerCase()}: ${STATUS_NOTE[sum.status] || ""}`));
  }
  if (job.message) parts.push(sentence(job.message));
  // A job ended without its summary (its solver killed) may keep a calendar saved while it ran.
  if (job.has_schedule && sum.editions_total != null) {
    parts.push(`${sum.editions_scheduled} of ${sum.editions_total} editions scheduled.`);
  }
  if (!stopped && sum.diagnosis && sum.diagnosis.length) parts.push(...sum.diagnosis.map(sentence));
  const message = $("#solve-message");
  message.replaceChildren(parts.join(" "));
  if (job.has_schedule) {
    await openJob(job, false);
    message.append(" ", h("a", { href: "#calendar", class: "button-link" }, "See the calendar →"));
  }
  loadJobs();
}

// ---------------------------------------------------------------------------- the calendar shown

async function openJob(job, switchTab) {
  showAlert(null);
  try {
    const [view, parity] = await Promise.all([
      api(`/jobs/${job.id}/view`),
      job.links && job.links.parity ? api(job.links.parity) : Promise.resolve(null),
    ]);
    state.job = job;
    state.view = view;
    state.parity = parity;
    state.run = null;
    localStorage.setItem("rtcm-job", job.id);
    state.month = state.month || view.editions.length && view.editions[0].start.slice(0, 7)
      || view.horizon_start.slice(0, 7);
    for (const section of $$("[data-full]")) section.hidden = false;
    for (const section of $$("[data-empty]")) section.hidden = true;
    renderContext();
    renderFilters();
    renderCalendar();
    renderParity();
    renderScenarioForm();
    $("#scenario-result").replaceChildren();
    renderDownloads();
    loadSchedule(job).then(() => {
      if (state.job && state.job.id === job.id) { renderDownloads(); renderSummary(); }
    });
    state.rollout = null;
    state.rolloutYears = null;
    $("#rollout-result").replaceChildren();
    $("#rollout-errors").replaceChildren();
    if (!$("#view-rollout").hidden) loadRollout();
    $("#publish-result").replaceChildren();
    if (!$("#view-published").hidden) loadPublished();
    else renderPublishJob();
    loadJobs();
    if (switchTab) showTab("calendar");
  } catch (err) {
    showAlert(err);
  }
}

function renderContext() {
  const v = state.view;
  $("#context").replaceChildren(
    h("strong", {}, v.problem), " · ",
    h("span", {}, `${v.editions_scheduled} / ${v.editions_total} editions`), " ",
    h("span", { class: `pill status-${(v.status || "").toLowerCase()}` }, (v.status || "hand-made").toLowerCase()),
    v.gap !== null ? h("span", {}, ` gap ${pct(v.gap)}`) : null);
}

const moduleOf = (n) => state.view.modules.find((m) => m.number === n) || { number: n, title: "", colour: "#dddddd" };
const trainerOf = (id) => state.view.trainers.find((t) => t.id === id) || { id, name: id, organisation: "", gender: "" };
const roomOf = (id) => state.view.rooms.find((r) => r.id === id);

function option(value, text, selected) {
  return h("option", { value, selected: value === selected }, text);
}

function renderFilters() {
  const v = state.view;
  const keep = (id) => $(id).value;
  const used = (pick) => new Set(v.editions.flatMap(pick));
  const trainers = used((e) => e.trainers), rooms = used((e) => (e.room ? [e.room] : [])),
    orgs = used((e) => e.organisations);
  $("#f-module").replaceChildren(option("", "all modules"),
    ...v.modules.map((m) => option(String(m.number), `M${m.number} · ${shortTitle(m.title)}`, keep("#f-module"))));
  $("#f-trainer").replaceChildren(option("", "all trainers"),
    ...v.trainers.filter((t) => trainers.has(t.id)).map((t) => option(t.id, `${t.id} · ${t.name}`, keep("#f-trainer"))));
  $("#f-room").replaceChildren(option("", "all rooms"),
    ...v.rooms.filter((r) => rooms.has(r.id)).map((r) => option(r.id, `${r.id} · ${r.name}`, keep("#f-room"))),
    v.editions.some((e) => !e.room) ? option("online", "online (no room)", keep("#f-room")) : null);
  $("#f-org").replaceChildren(option("", "all organisations"),
    ...v.organisations.filter((o) => orgs.has(o)).map((o) => option(o, o, keep("#f-org"))));
  const months = [];
  for (let d = toDay(v.horizon_start.slice(0, 8) + "01"); d <= toDay(v.horizon_end);) {
    const date = new Date(d);
    months.push(isoOf(d).slice(0, 7));
    d = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  }
  $("#month-select").replaceChildren(...months.map((m) => option(m, F_MONTH.format(toDay(m + "-01")), state.month)));
}

function shortTitle(title) {
  // Curriculum titles are long and partly in capitals: the first clause, in sentence case.
  const first = String(title).split(/[,:]/)[0].trim();
  const letters = first.replace(/[^A-Za-z]/g, "");
  const capitals = letters.replace(/[^A-Z]/g, "").length;
  const text = capitals > 0.7 * letters.length ? first.charAt(0) + first.slice(1).toLowerCase() : first;
  return text.length > 42 ? text.slice(0, 40) + "…" : text;
}

function filtered() {
  const module = $("#f-module").value, trainer = $("#f-trainer").value, room = $("#f-room").value,
    org = $("#f-org").value, text = $("#f-text").value.trim().toLowerCase();
  let list = state.view.editions.filter((e) =>
    (!module || String(e.module) === module)
    && (!trainer || e.trainers.includes(trainer))
    && (!room || (room === "online" ? !e.room : e.room === room))
    && (!org || e.organisations.includes(org))
    && (!text || e.edition.toLowerCase().includes(text) || e.title.toLowerCase().includes(text)));
  if ($("#sort").value === "module") {
    list = [...list].sort((a, b) => a.module - b.module || a.topic.localeCompare(b.topic, "en", { numeric: true })
      || a.number - b.number);
  }
  return list;
}

function renderCalendar() {
  const v = state.view;
  const list = filtered();
  const total = v.editions.length;
  $("#filter-count").textContent = list.length === total
    ? `${plural(total, "edition")} on the calendar. Select one for its details.`
    : `Showing ${list.length} of ${total} editions.`;
  renderSummary();
  $("#gantt").hidden = state.layout !== "year";
  $("#month").hidden = state.layout !== "month";
  $("#month-nav").hidden = state.layout !== "month";
  $("#sort-box").hidden = state.layout !== "year";
  $("#cal-year").setAttribute("aria-pressed", String(state.layout === "year"));
  $("#cal-month").setAttribute("aria-pressed", String(state.layout === "month"));
  if (state.layout === "year") renderGantt($("#gantt"), list, v);
  else renderMonth(list);
  renderLegend();
  renderLeftOut();
}

/** "12 / 20": requests seated of the requests, as the service counts them (CalendarView.demand). */
const servedText = (seated, requests) => `${num(seated, 0)} / ${num(requests, 0)}`;

function renderSummary() {
  const v = state.view;
  const card = (label, value, note) => h("div", { class: "kpi" },
    h("span", { class: "label" }, label), h("span", { class: "value" }, value),
    note ? h("span", { class: "note" }, note) : null);
  // Demand served (only with nominations): by topic priority on its card, by audience on a card of its own.
  const d = v.demand;
  const levels = d ? Object.keys(d.requests_by_priority).sort((a, b) => Number(b) - Number(a)) : [];
  const audiences = d ? Object.keys(d.requests_by_audience) : [];
  $("#summary").replaceChildren(
    card("Editions scheduled", `${v.editions_scheduled} / ${v.editions_total}`,
      v.unscheduled.length ? `${v.unscheduled.length} left out` : "all on the calendar"),
    card("Training days", v.training_days),
    card("Objective", num(v.objective), v.bound !== null ? `bound ${num(v.bound)}` : null),
    card("Gap", pct(v.gap), v.status ? v.status.toLowerCase() : "hand-made"),
    card("Women's share of trainer-days", pct(v.women_share_of_trainer_days)),
    card("Cost", usd(v.cost_usd), "fees, travel, rooms, interpretation, participants' fares and allowances"),
    d ? card("Requests seated", d.requests ? pct(d.seated / d.requests, 0) : "–",
      `${servedText(d.seated, d.requests)}; by priority ` + levels.map((level) =>
        `${level}: ${servedText(d.seated_by_priority[level], d.requests_by_priority[level])}`).join(" · ")) : null,
    card("Hard rules broken", v.hard_rules_broken, v.hard_rules_broken ? "see the editions" : "none: re-checked"),
    backupsCard(card),
    d && audiences.length ? h("div", { class: "kpi wide", id: "requests-by-audience" },
      h("span", { class: "label" }, "Requests seated by audience"),
      h("ul", { class: "plain served" }, audiences.map((audience) => {
        const asked = d.requests_by_audience[audience], seated = d.seated_by_audience[audience];
        return h("li", {}, h("strong", {}, words(audience)), ` ${servedText(seated, asked)}`,
          h("span", { class: "sub" }, ` (${pct(seated / asked, 0)})`));
      }))) : null);
}

/** The backups' card ("55 / 127 roles covered; 4 of 63 editions complete") once the shown job's schedule
 *  is read and carries them; else none. */
function backupsCard(card) {
  const entry = state.schedule;
  const report = entry && state.job && entry.jobId === state.job.id ? backupsOf(entry.value) : null;
  if (!report) return null;
  const f = backupFigures(report);
  return h("div", { class: "kpi", id: "backups-kpi" }, h("span", { class: "label" }, "Backups"),
    h("span", { class: "value" }, `${f.covered} / ${f.roles}`),
    h("span", { class: "note" }, `roles covered; ${f.complete} of ${plural(f.editions, "edition")} complete`));
}

/** A Gantt chart by week: one row per edition, bars coloured by module. */
function renderGantt(root, list, v, options = {}) {
  const origin = toDay(v.horizon_start) - ((new Date(toDay(v.horizon_start)).getUTCDay() + 6) % 7) * DAY;
  const endDay = toDay(v.horizon_end);
  const last = endDay + (6 - ((new Date(endDay).getUTCDay() + 6) % 7)) * DAY;
  const days = (last - origin) / DAY + 1;
  const weeks = days / 7;
  const at = (ms) => `${(100 * (ms - origin) / DAY / days).toFixed(3)}%`;
  const width = (a, b) => `${(100 * ((b - a) / DAY + 1) / days).toFixed(3)}%`;
  const months = h("div", { class: "g-months" });
  const weekRow = h("div", { class: "g-weeks" });
  for (let d = Date.UTC(new Date(origin).getUTCFullYear(), new Date(origin).getUTCMonth(), 1); d <= last;) {
    const date = new Date(d);
    const next = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
    const a = Math.max(d, origin), b = Math.min(next - DAY, last);
    const wide = (b - a) / DAY >= 9;  // a sliver of a month at either end gets no name
    months.append(h("span", { style: { left: at(a), width: width(a, b) } }, wide ? F_MON.format(d) : ""));
    d = next;
  }
  for (let w = 0; w < weeks; w++) {
    const monday = origin + w * 7 * DAY;
    weekRow.append(h("span", { style: { left: at(monday), width: width(monday, monday + 6 * DAY) } },
      new Date(monday).getUTCDate()));
  }
  const off = h("div", { class: "g-off", "aria-hidden": "true" },
    v.days_off.map((o) => h("span", { title: `${o.day}: ${o.reason}`,
      style: { left: at(toDay(o.day)), width: width(toDay(o.day), toDay(o.day)) } })));
  const head = h("div", { class: "g-head" },
    h("div", { class: "g-label" }, options.title || h("span", { class: "sub" }, "Edition · title")),
    h("div", { class: "g-track" }, months, weekRow));
  const rows = list.map((e) => {
    if (!e.start) {  // on the other calendar only: an empty row keeps the two side by side
      return h("div", { class: "g-row marked", dataset: { edition: e.edition } },
        h("div", { class: "g-label" }, h("span", { class: "g-id" }, e.edition)),
        h("div", { class: "g-track" }, h("span", { class: "g-room", style: { left: "4px" } }, options.absent || "")));
    }
    const module = moduleOf(e.module);
    const mark = options.mark ? options.mark(e) : null;
    const label = `${e.edition}, ${e.title}: ${dateSpan(e.start, e.end)}, ${e.room || "online"}`;
    const bar = h("button", {
      type: "button", class: `bar${mark ? " " + mark : ""}`, title: label, "aria-label": label,
      style: { left: at(toDay(e.start)), width: width(toDay(e.start), toDay(e.end)), background: module.colour },
      onclick: () => openEdition(e, options.source),
    });
    return h("div", { class: `g-row${mark ? " marked" : ""}`, dataset: { edition: e.edition } },
      h("div", { class: "g-label" },
        h("button", { type: "button", class: "g-id", onclick: () => openEdition(e, options.source),
          style: { borderLeftColor: module.colour } }, e.edition),
        h("span", { class: "g-title", title: e.title }, e.title)),
      h("div", { class: "g-track" }, bar,
        h("span", { class: "g-room", style: { left: `calc(${at(toDay(e.end) + DAY)} + 4px)` } },
          e.room || "online")));
  });
  const body = h("div", { class: "g-body", style: { "--weeks": weeks } }, off, rows);
  if (!list.length) body.append(h("p", { class: "sub pad" }, options.none || "No edition matches the filters."));
  root.replaceChildren(head, body);
  root.style.setProperty("--weeks", weeks);
}

function renderMonth(list) {
  const v = state.view;
  const [y, m] = state.month.split("-").map(Number);
  const first = Date.UTC(y, m - 1, 1), last = Date.UTC(y, m, 0);
  const start = first - ((new Date(first).getUTCDay() + 6) % 7) * DAY;
  const offBy = new Map(v.days_off.map((o) => [o.day, o.reason]));
  const names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
  const working = new Set(v.working_weekdays);
  const heads = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    .map((d) => h("div", { class: "m-head", role: "columnheader" }, d));
  const cells = [];
  for (let d = start; d <= last || (d - start) / DAY % 7 !== 0; d += DAY) {
    const iso = isoOf(d);
    const inMonth = d >= first && d <= last;
    const inHorizon = iso >= v.horizon_start && iso <= v.horizon_end;
    const weekday = names[(new Date(d).getUTCDay() + 6) % 7];
    const reason = offBy.get(iso);
    const off = !working.has(weekday) || reason;
    const running = inMonth ? list.filter((e) => e.days.includes(iso)) : [];
    cells.push(h("div", {
      class: `m-day${inMonth ? "" : " other"}${off ? " off" : ""}${inHorizon ? "" : " outside"}`,
      role: "gridcell", "aria-label": `${F_FULL.format(d)}${reason ? ", " + reason : ""}`,
    },
    h("span", { class: "m-date" }, new Date(d).getUTCDate()),
    inMonth && reason ? h("span", { class: "m-reason" }, reason) : null,
    running.map((e) => h("button", {
      type: "button", class: "chip", style: { background: moduleOf(e.module).colour },
      title: `${e.edition}: ${e.title}`, onclick: () => openEdition(e),
    }, h("strong", {}, e.edition), ` ${e.room || "online"}`))));
  }
  const rows = [];
  for (let i = 0; i < cells.length; i += 7) rows.push(h("div", { class: "m-week", role: "row" }, cells.slice(i, i + 7)));
  $("#month").replaceChildren(
    h("h2", { class: "m-title" }, F_MONTH.format(first)),
    h("div", { class: "m-grid", role: "grid", "aria-label": F_MONTH.format(first) },
      h("div", { class: "m-week", role: "row" }, heads), rows));
  $("#month-select").value = state.month;
}

function shiftMonth(step) {
  const options = $$("#month-select option").map((o) => o.value);
  const i = options.indexOf(state.month) + step;
  if (i >= 0 && i < options.length) { state.month = options[i]; renderCalendar(); }
}

function renderLegend() {
  $("#legend").replaceChildren(h("h3", {}, "Modules"),
    h("ul", {}, state.view.modules.map((m) => h("li", {},
      h("span", { class: "swatch", style: { background: m.colour } }), h("strong", {}, `M${m.number}`), " ",
      shortTitle(m.title)))),
    // replaceChildren writes a null as the text "null": without days off, no note at all.
    ...(state.view.days_off.length
      ? [h("p", { class: "sub" }, h("span", { class: "swatch off" }), "Holidays and closures (hover for the name).")]
      : []));
}

function renderLeftOut() {
  const v = state.view;
  const parts = [];
  if (v.unscheduled.length) {
    parts.push(h("h3", {}, `Left out (${v.unscheduled.length})`),
      h("ul", { class: "issues" }, v.unscheduled.map((u) => h("li", {},
        h("strong", {}, u.edition), ` (${u.mandatory ? "mandatory" : "optional"}): ${u.reason}`))));
  }
  const general = v.issues.filter((i) => i.kind === "hard" || i.message);
  if (general.length || v.diagnosis.length || v.warnings.length) {
    parts.push(h("details", { class: "general" },
      h("summary", {}, `Penalties and notes for the whole calendar (${general.length + v.diagnosis.length + v.warnings.length})`),
      h("ul", { class: "issues" },
        general.map((i) => h("li", { class: i.kind }, h("strong", {}, i.name), ": ", i.message)),
        v.diagnosis.map((d) => h("li", {}, d)),
        v.warnings.map((w) => h("li", { class: "warning" }, w)))));
  }
  $("#left-out").replaceChildren(...parts);
}

// ---------------------------------------------------------------------------- guest sessions

/** The schedule of a job, with its problem: where the guests, their countries and the slots' titles are.
 *  Read once per job (the service sends it compressed, and a 304 when unchanged). */
function loadSchedule(job) {
  if (!state.schedule || state.schedule.jobId !== job.id) {
    const entry = { jobId: job.id, value: null, error: null };
    entry.promise = api(`/jobs/${job.id}/schedule`)
      .then((schedule) => { entry.value = schedule; return schedule; })
      .catch((err) => { entry.error = err.message; return null; });
    state.schedule = entry;
  }
  return state.schedule.promise;
}

/** An edition's guest sessions by day ({day, slot, title, person}) and its guest slots left empty.
 *  A scenario's edition carries its own sessions; the base calendar's are in the schedule. */
function guestSessions(schedule, e, source) {
  const problem = schedule.problem;
  const own = source === "scenario" ? e : schedule.editions.find((x) => x.edition === e.edition);
  const item = problem.programme.find((p) => p.topic === e.topic);
  const slots = item ? item.guest_slots || [] : [];
  const people = new Map(problem.trainers.map((t) => [t.id, t]));
  const sessions = ((own && own.guests) || []).map((g) => {
    const slot = slots.find((x) => x.id === g.slot);
    return { day: g.day, slot: g.slot, title: slot ? slot.title || slot.id : g.slot,
      person: people.get(g.person) || { id: g.person, name: "(unknown)", organisation: "", country: null } };
  }).sort((a, b) => a.day.localeCompare(b.day) || a.title.localeCompare(b.title));
  const empty = slots.filter((x) => !sessions.some((g) => g.slot === x.id));
  return { sessions, empty };
}

function guestList({ sessions, empty }) {
  return h("ul", { class: "plain guests" },
    sessions.map((g) => h("li", {}, h("strong", {}, g.title), `, ${F_SHORT.format(toDay(g.day))}: `,
      h("strong", {}, g.person.id), ` ${g.person.name}`, h("span", { class: "sub" },
        ` · ${[g.person.organisation, g.person.country].filter(Boolean).join(" · ")}`))),
    empty.map((x) => h("li", { class: "sub" }, `${x.title || x.id}: no guest${x.required ? " (required)" : ""}`)));
}

/** Fill the dialog's guest row (and the lead agencies' note, a guest may be the lead agency's person)
 *  once the schedule is read; the row stays hidden for an edition without guest slots. */
function showGuests(e, source, term, value, lead) {
  const fill = (schedule) => {
    if (!value.isConnected) return;  // the dialog shows another edition by now
    if (!schedule) {
      term.hidden = value.hidden = false;
      value.replaceChildren(h("span", { class: "sub" }, `not available (${state.schedule.error})`));
      return;
    }
    const found = guestSessions(schedule, e, source);
    if (!found.sessions.length && !found.empty.length) return;
    term.hidden = value.hidden = false;
    value.replaceChildren(guestList(found));
    const leads = e.lead_agencies || [];
    const guest = found.sessions.find((g) => leads.includes(g.person.organisation));
    if (lead && guest && !leads.some((o) => (e.organisations || []).includes(o))) {
      lead.textContent = `${leads.join(" or ")} (a guest: ${guest.person.id} of ${guest.person.organisation})`;
    }
  };
  withSchedule(fill);
}

/** Call ``fill`` with the shown job's schedule (null when it could not be read) once it is read. */
function withSchedule(fill) {
  const entry = state.schedule;
  if (entry && entry.jobId === state.job.id && (entry.value || entry.error)) fill(entry.value);
  else loadSchedule(state.job).then(fill);
}

// ---------------------------------------------------------------------------- backups

/** The backups the schedule carries (BackupReport), or null when it carries none. */
const backupsOf = (schedule) => (schedule && schedule.backups) || null;

/** Roles covered, roles, complete editions and editions: the figures `rtcm backups` prints (BackupReport). */
function backupFigures(report) {
  const members = report.editions.flatMap((b) => b.members);
  return {
    covered: members.filter((m) => m.backup).length, roles: members.length, editions: report.editions.length,
    complete: report.editions.filter((b) => b.members.every((m) => m.backup) && (!b.room || b.backup_room)).length,
  };
}

/** One edition's backups (EditionBackups): each member → their backup or none and why, the room → its backup. */
function backupList(b) {
  const person = (id) => { const t = trainerOf(id); return [h("strong", {}, t.id), ` ${t.name}`]; };
  const room = (id) => { const r = roomOf(id); return [h("strong", {}, id), r ? ` ${r.name}` : ""]; };
  const none = (reason) => [h("span", { class: "none" }, "none"), reason ? h("span", { class: "sub" }, ` · ${reason}`) : null];
  return h("ul", { class: "plain backups" },
    b.members.map((m) => h("li", {}, person(m.trainer), " → ", m.backup ? person(m.backup) : none(m.reason))),
    b.room ? h("li", {}, "room ", room(b.room), " → ", b.backup_room ? room(b.backup_room) : none(b.room_reason)) : null);
}

/** Fill the dialog's backups row once the schedule is read: hidden when the calendar carries no backups
 *  (a scenario's calendar, or one solved without them). */
function showBackups(e, source, term, value) {
  if (source === "scenario") return;
  withSchedule((schedule) => {
    const report = backupsOf(schedule);
    if (!value.isConnected || !report) return;
    const b = report.editions.find((x) => x.edition === e.edition);
    term.hidden = value.hidden = false;
    value.replaceChildren(b ? backupList(b) : h("span", { class: "sub" }, "not chosen (added to the calendar since)"));
  });
}

// ---------------------------------------------------------------------------- one edition

// An edition's cost categories as the service names them (EditionView.costs), in the Budget sheet's order.
const COST_LABELS = [["fees_usd", "Trainer fees"], ["travel_usd", "Travel"], ["room_cost_usd", "Room"],
  ["interpretation_usd", "Interpretation"], ["participant_fares_usd", "Participants' fares"],
  ["participant_allowances_usd", "Participants' allowances"]];

function openEdition(e, source) {
  const v = state.view;
  const module = moduleOf(e.module);
  const room = e.room ? roomOf(e.room) : null;
  const row = (label, ...value) => [h("dt", {}, label), h("dd", {}, ...value)];
  const guestsTerm = h("dt", { hidden: true }, "Guests");
  const guestsValue = h("dd", { hidden: true, id: "edition-guests" });
  const backupsTerm = h("dt", { hidden: true }, "Backups");
  const backupsValue = h("dd", { hidden: true, id: "edition-backups" });
  const leads = e.lead_agencies && e.lead_agencies.length ? e.lead_agencies : null;
  const leadValue = leads ? h("dd", {}, leads.join(" or ") + (leads.some((o) => e.organisations.includes(o))
    ? " (on the team)" : " (none on the team)")) : null;
  const change = state.run && state.run.diff ? state.run.diff.changes.find((c) => c.edition === e.edition) : null;
  // Its costs by category (the base calendar's editions: the view carries them), the empty ones left out.
  const costs = e.costs && Object.keys(e.costs).length
    ? COST_LABELS.filter(([key]) => e.costs[key]).map(([key, label]) => [label, e.costs[key]]) : null;
  const seated = e.seated === null || e.seated === undefined ? null
    : `${e.seated} nominees seated${e.seated ? `, ${e.seated_women} of them women (${pct(e.seated_women / e.seated, 0)})` : ""}`;
  const body = [
    h("p", { class: "eyebrow" }, h("span", { class: "swatch", style: { background: module.colour } }),
      `Module ${e.module} · ${shortTitle(module.title)}`,
      source === "scenario" ? h("span", { class: "pill" }, "scenario calendar") : null),
    h("h2", { id: "edition-title" }, `${e.edition} · ${e.title}`),
    h("dl", { class: "facts" },
      row("Dates", `${dateSpan(e.start, e.end)} (${plural(e.days.length, "training day")})`),
      e.days.length > 1 && toDay(e.end) - toDay(e.start) + DAY !== e.days.length * DAY
        ? row("Days", e.days.map((d) => F_SHORT.format(toDay(d))).join(", ")) : [],
      row("Mode", words(e.mode)),
      row("Room", room ? `${room.name} (${room.id}), ${room.venue_name}: ${room.seats} seats`
        + (room.hybrid ? `, hybrid with ${room.online_seats} online seats` : "") : "online, no room"),
      row("Trainers", h("ul", { class: "plain" }, e.trainers.map((id) => {
        const t = trainerOf(id);
        return h("li", {}, h("strong", {}, t.id), ` ${t.name}`, h("span", { class: "sub" },
          ` · ${t.organisation} · ${words(t.gender)}`));
      }))),
      guestsTerm, guestsValue, backupsTerm, backupsValue,
      row("Language", e.language + (e.interpretation && e.interpretation.length
        ? `, interpreted into ${e.interpretation.join(", ")}` : "")),
      leads ? [h("dt", {}, "Lead agencies"), leadValue] : [],
      row("Participants", `${e.participants_in_person} in person, ${e.participants_online} online planned`,
        seated ? h("br") : null, seated),
      costs ? row("Costs", h("strong", {}, usd(e.cost_usd)), h("ul", { class: "plain costs" },
        costs.map(([label, amount]) => h("li", {}, `${label}: ${usd(amount)}`)))) : [],
      row("Priority", e.priority ? `${e.priority} (a Road Map priority: earlier is better)` : "none"),
      row("Mandatory", e.mandatory ? "yes" : "no (optional)")),
    h("h3", {}, "Penalties and explanation"),
    source === "scenario"
      ? h("p", { class: "sub" }, "This is the scenario's calendar: its penalties are in the key figures of the "
        + "comparison; the base calendar's edition shows its own.")
      : e.issues && e.issues.length
      ? h("ul", { class: "issues" }, e.issues.map((i) => h("li", { class: i.kind },
        h("strong", {}, i.kind === "hard" ? "Broken rule: " : `${i.name}: `), i.message)))
      : h("p", { class: "ok" }, "No penalty: this edition breaks no rule and costs no points "
        + "beyond its fees and room."),
  ];
  if (change) {
    body.push(h("h3", {}, `In the scenario “${state.run.name}”`),
      h("p", { class: "changed" }, describeChange(change)),
      h("ul", { class: "issues" }, change.why.map((w) => h("li", {}, w))));
  }
  $("#edition-body").replaceChildren(...body);
  const dialog = $("#edition-dialog");
  if (!dialog.open) dialog.showModal();
  $(".close", dialog).focus();
  showGuests(e, source, guestsTerm, guestsValue, leadValue);
  showBackups(e, source, backupsTerm, backupsValue);
}

// ---------------------------------------------------------------------------- parity

function shareBar(row) {
  const bar = h("span", { class: "sharebar", role: "img",
    "aria-label": `${pct(row.share)}; target ${row.target}` });
  if (row.target_min !== null && row.target_min !== undefined) {
    const lo = row.target_min, hi = row.target_max ?? 1;
    bar.append(h("span", { class: "band", style: { left: `${100 * lo}%`, width: `${100 * (hi - lo)}%` } }));
  }
  if (row.share !== null && row.share !== undefined) {
    bar.append(h("span", { class: `mark ${row.status}`, style: { left: `${100 * row.share}%` } }));
  }
  return h("span", { class: "share" }, bar, h("span", { class: "share-text" }, pct(row.share)));
}

const statusPill = (status) => h("span", { class: `pill ${status.replace("/", "")}` },
  { pass: "meets target", fail: "off target", "n/a": "no target" }[status] || status);

function parityTable(caption, rows, { key = "Key", label = (r) => r.key, people = true } = {}) {
  if (!rows.length) return null;
  return h("div", { class: "table-wrap" }, h("table", { class: "list parity" },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, key), h("th", { scope: "col" }, "Women"),
      h("th", { scope: "col" }, "Men"), people ? h("th", { scope: "col" }, "Another / undisclosed") : null,
      h("th", { scope: "col" }, "Women's share"), h("th", { scope: "col" }, "Target"),
      h("th", { scope: "col" }, "Status"), h("th", { scope: "col" }, "Reason"))),
    h("tbody", {}, rows.map((r) => h("tr", { class: r.status === "fail" ? "fail" : null },
      h("th", { scope: "row" }, label(r)), h("td", { class: "num" }, r.women), h("td", { class: "num" }, r.men),
      people ? h("td", { class: "num" }, `${r.another_identity} / ${r.undisclosed}`) : null,
      h("td", {}, shareBar(r)), h("td", { class: "sub" }, `${r.target}${r.mode !== "off" ? ` (${r.mode})` : ""}`),
      h("td", {}, statusPill(r.status)), h("td", { class: "reason" }, r.reason))))));
}

/** Trainer-days of the teams apart from those of the guest sessions, group by group. */
function sourcesTable(rows, monthLabel) {
  const where = (r) => r.scope === "year" ? "The year" : r.scope === "month" ? monthLabel(r)
    : r.scope === "module" ? `Module ${r.key.replace(/^M/, "")}` : r.key;
  return h("div", { class: "table-wrap" }, h("table", { class: "list parity sources" },
    h("caption", { class: "sr-only" }, "Trainer-days of the teams and of the guest sessions"),
    h("thead", {}, h("tr", {}, ["Group", "Given by", "Trainer-days", "Women", "Men", "Another / undisclosed",
      "Women's share"].map((t, i) => h("th", { scope: "col", class: i >= 2 && i <= 5 ? "num" : null }, t)))),
    h("tbody", {}, rows.map((r) => h("tr", {},
      h("th", { scope: "row" }, where(r)), h("td", {}, r.given_by === "guests" ? "guest sessions" : "teams"),
      h("td", { class: "num" }, r.women + r.men + r.another_identity + r.undisclosed),
      h("td", { class: "num" }, r.women), h("td", { class: "num" }, r.men),
      h("td", { class: "num" }, `${r.another_identity} / ${r.undisclosed}`), h("td", {}, pct(r.share)))))));
}

function renderParity() {
  const root = $("#parity");
  const p = state.parity;
  if (!p) {
    root.replaceChildren(h("div", { class: "card" }, h("p", {}, "The gender parity report is not available "
      + "in this installation.")));
    return;
  }
  const monthLabel = (r) => F_MONTH.format(toDay(r.key + "-01"));
  const year = (group) => p[group].find((r) => r.scope === "year");
  const order = ["year", "module", "month", "organisation", "country", "audience", "edition"];
  const failures = p.trainers.concat(p.participants).filter((r) => r.status === "fail")
    .sort((a, b) => order.indexOf(a.scope) - order.indexOf(b.scope) || a.group.localeCompare(b.group)
      || a.key.localeCompare(b.key, "en", { numeric: true }));
  const enforced = failures.filter((r) => r.mode === "hard" || r.mode === "soft");
  const reference = failures.filter((r) => r.mode === "reference");
  const caps = p.country_caps.filter((c) => c.status === "fail");
  const card = (title, row) => h("div", { class: "kpi wide" }, h("span", { class: "label" }, title),
    row ? h("span", { class: "value" }, pct(row.share)) : h("span", { class: "value" }, "–"),
    row ? h("span", { class: "note" }, `target ${row.target} (${row.mode}) `, statusPill(row.status)) : null);
  const where = (r) => r.scope === "year" ? "the year" : r.scope === "month" ? monthLabel(r)
    : r.scope === "module" ? `module ${r.key.replace(/^M/, "")}` : r.key;
  const failureTable = (rows) => h("div", { class: "table-wrap" }, h("table", { class: "list parity failures" },
    h("thead", {}, h("tr", {}, ["Who", "Where", "Women's share", "Target", "Reason"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, rows.map((r) => h("tr", {},
      h("td", {}, r.group === "trainers" ? "Trainers" : "Participants"),
      h("th", { scope: "row" }, where(r)), h("td", {}, shareBar(r)),
      h("td", { class: "sub" }, `${r.target} (${r.mode})`), h("td", { class: "reason" }, r.reason))))));
  const scope = (group, name) => p[group].filter((r) => r.scope === name);
  root.replaceChildren(
    h("div", { class: "kpis" },
      card("Women's share of trainer-days, the year", year("trainers")),
      card("Women's share of participants, the year", year("participants")),
      h("div", { class: "kpi" }, h("span", { class: "label" }, "Groups off an enforced target"),
        h("span", { class: "value" }, enforced.length + caps.length),
        h("span", { class: "note" }, `and ${reference.length} off a reference band`))),
    h("div", { class: "card" }, h("h2", {}, "Off target, with the reasons"),
      enforced.length ? failureTable(enforced) : h("p", { class: "ok" }, "Every enforced women's share target is met."),
      caps.length ? [h("h3", {}, "Country caps"), h("ul", { class: "issues" }, caps.map((c) => h("li", {},
        h("strong", {}, `${c.edition}, participants from ${c.country}: `),
        `${c.participants} of ${c.seats} seats (${pct(c.share)}) against a cap of ${pct(c.cap_share, 0)}. `,
        h("span", { class: "reason" }, c.reason))))] : null,
      reference.length ? h("details", {}, h("summary", {},
        `For reference: ${plural(reference.length, "group")} off the band that no rule enforces`),
      failureTable(reference)) : null),
    ...(p.guest_days ? [h("div", { class: "card" }, h("h2", {}, "Teams and guest sessions"),
      h("p", { class: "hint" }, `Guests count the one day of their session: ${plural(p.guest_days, "trainer-day")} `
        + "of the shares above were given in guest sessions."),
      sourcesTable(p.trainer_days_by_source.filter((r) => r.scope !== "organisation"), monthLabel),
      h("details", {}, h("summary", {}, "By organisation"),
        sourcesTable(p.trainer_days_by_source.filter((r) => r.scope === "organisation"), monthLabel)))] : []),
    h("div", { class: "card" }, h("h2", {}, "By month"),
      parityTable("Trainers (trainer-days)", scope("trainers", "month"), { key: "Month", label: monthLabel, people: false }),
      parityTable("Participants", scope("participants", "month"), { key: "Month", label: monthLabel })),
    h("div", { class: "card" }, h("h2", {}, "By module"),
      parityTable("Trainers (trainer-days)", scope("trainers", "module"), { key: "Module", people: false }),
      parityTable("Participants", scope("participants", "module"), { key: "Module" })),
    h("div", { class: "card" }, h("h2", {}, "By edition"),
      h("details", {}, h("summary", {}, "Teams: a woman and a man on every team"),
        parityTable("Trainers (trainer-days)", scope("trainers", "edition"), { key: "Edition", people: false })),
      scope("participants", "edition").length ? h("details", {}, h("summary", {}, "Participants of each edition"),
        parityTable("Participants", scope("participants", "edition"), { key: "Edition" })) : null),
    h("div", { class: "card" }, h("h2", {}, "By organisation, country and audience"),
      h("details", {}, h("summary", {}, "Trainers by organisation"),
        parityTable("Trainers (trainer-days)", scope("trainers", "organisation"), { key: "Organisation", people: false })),
      scope("participants", "country").length ? h("details", {}, h("summary", {}, "Participants by country"),
        parityTable("Participants", scope("participants", "country"), { key: "Country" })) : null,
      scope("participants", "audience").length ? h("details", {}, h("summary", {}, "Participants by audience"),
        parityTable("Participants", scope("participants", "audience"), { key: "Audience" })) : null),
    h("div", { class: "notes" }, h("h3", {}, "How the shares are counted"),
      h("ul", {}, p.notes.map((n) => h("li", {}, n)))));
}

// ---------------------------------------------------------------------------- scenarios

async function loadScenarios() {
  try {
    state.scenarios = await api("/scenarios");
  } catch (err) {
    state.scenarios = [];
  }
  const box = $("#scenario-files");
  const own = $(".own", box);
  box.replaceChildren(...state.scenarios.map((sc, i) => h("label", { class: "scenario-option" },
    h("input", { type: "radio", name: "scenario", value: sc.file, checked: i === 0, disabled: sc.errors.length > 0 }),
    h("span", {}, h("strong", {}, sc.name), h("small", {}, sc.description),
      h("small", { class: "sub" }, sc.errors.length ? sc.errors.join("; ") : sc.changes.join("; "))))), own);
  for (const input of $$("input[name=scenario]")) input.addEventListener("change", onScenarioChoice);
}

function onScenarioChoice() {
  const own = $("input[name=scenario]:checked").value === "__form__";
  $("#own-scenario").disabled = !own;
  $("#own-scenario").hidden = !own;
  if (own && !$$("#own-changes li").length) addChange("trainer_unavailable");
}

function renderScenarioForm() {
  // The form's lists follow the calendar shown: its trainers, rooms and topics.
  for (const li of $$("#own-changes li")) li.remove();
  if ($("input[name=scenario]:checked") && $("input[name=scenario]:checked").value === "__form__") {
    addChange("trainer_unavailable");
  }
}

function addChange(type) {
  const v = state.view;
  // A period that matters by default: two weeks from the first course of the trainer or room offered first.
  let start = v.horizon_start;
  const dates = () => [
    h("label", {}, "from ", h("input", { type: "date", name: "start", value: start, min: v.horizon_start, max: v.horizon_end, required: true })),
    h("label", {}, "to ", h("input", { type: "date", name: "end", value: isoOf(toDay(start) + 13 * DAY),
      min: v.horizon_start, max: v.horizon_end, required: true })),
  ];
  let fields;
  if (type === "trainer_unavailable") {
    const busy = new Set(v.editions.flatMap((e) => e.trainers));
    const first = v.trainers.find((t) => busy.has(t.id));
    if (first) start = v.editions.find((e) => e.trainers.includes(first.id)).start;
    fields = [h("strong", {}, "Trainer away"),
      h("label", {}, "trainer ", h("select", { name: "trainer" },
        v.trainers.filter((t) => busy.has(t.id)).map((t) => option(t.id, `${t.id} · ${t.name} (${t.organisation})`)))),
      dates()];
  } else if (type === "room_closed") {
    const used = v.editions.find((e) => e.room === (v.rooms[0] || {}).id);
    if (used) start = used.start;
    fields = [h("strong", {}, "Room closed"),
      h("label", {}, "room ", h("select", { name: "room" }, v.rooms.map((r) => option(r.id, `${r.id} · ${r.name}`)))),
      dates()];
  } else {
    fields = [h("strong", {}, "More editions"),
      h("label", {}, "of ", h("select", { name: "what" },
        h("optgroup", { label: "Whole modules" }, v.modules.map((m) => option(`module:${m.number}`, `every topic of M${m.number} · ${shortTitle(m.title)}`))),
        h("optgroup", { label: "One topic" }, v.topics.map((t) => option(`topic:${t.id}`, `${t.id} · ${shortTitle(t.title)}`))))),
      h("label", {}, "editions to add ", h("input", { type: "number", name: "editions", min: 1, max: 5, value: 1 }))];
  }
  const li = h("li", { class: "change", dataset: { type } }, fields,
    h("button", { type: "button", class: "link", "aria-label": "Remove this change", onclick: () => li.remove() }, "Remove"));
  $("#own-changes").append(li);
  const first = $("select, input", li);
  if (first) first.focus();
}

function ownChanges() {
  return $$("#own-changes li").map((li) => {
    const type = li.dataset.type;
    const val = (name) => { const el = $(`[name=${name}]`, li); return el ? el.value : null; };
    if (type === "editions_added") {
      const [kind, id] = val("what").split(":");
      const change = { type, editions: Number(val("editions")) || 1 };
      if (kind === "module") change.module = Number(id); else change.topics = [id];
      return change;
    }
    const change = { type, start: val("start"), end: val("end") };
    if (type === "trainer_unavailable") { change.trainer = val("trainer"); change.reason = "away"; }
    else { change.room = val("room"); change.reason = "closed"; }
    return change;
  });
}

async function runScenario(event) {
  event.preventDefault();
  if (!state.job) return;
  const choice = $("input[name=scenario]:checked");
  const body = {
    job_id: state.job.id,
    time_limit_s: Number($("#scenario-limit").value) || 20,
    stay_close: $("#stay-close").checked,
  };
  if (!choice || choice.value === "__form__") {
    body.name = $("#own-name").value.trim() || "My scenario";
    body.changes = ownChanges();
  } else {
    body.file = choice.value;
  }
  $("#scenario-errors").replaceChildren();
  $("#scenario-run").disabled = true;
  try {
    const run = await api("/scenarios/run", { method: "POST", json: body });
    state.run = run;
    $("#scenario-stop").disabled = false;
    showRun(run);
    pollRun(run.id);
  } catch (err) {
    $("#scenario-run").disabled = false;
    $("#scenario-errors").replaceChildren(h("p", { class: "bad" }, err.message),
      ...((err.errors || []).length ? [h("ul", { class: "error-list" }, err.errors.map((e) => h("li", {}, e)))] : []));
  }
}

function pollRun(id) {
  clearTimeout(state.runTimer);
  state.runTimer = setTimeout(async () => {
    try {
      const run = await api(`/scenarios/runs/${id}`);
      state.run = run;
      showRun(run);
      if (runActive(run)) pollRun(id);
    } catch (err) {
      showAlert(err);
      $("#scenario-run").disabled = false;
    }
  }, 700);
}

async function stopRun() {
  if (!state.run) return;
  $("#scenario-stop").disabled = true;
  $("#scenario-status").textContent = "Stopping…";
  try {
    state.run = await api(`/scenarios/runs/${state.run.id}`, { method: "DELETE" });
    showRun(state.run);
  } catch (err) {
    showAlert(err);
  }
}

function describeChange(c) {
  const parts = [];
  const at = (a, b) => a ? dateSpan(a, b) : "–";
  if (c.kinds.includes("added")) parts.push(`added on ${at(c.new_start, c.new_end)}`);
  if (c.kinds.includes("dropped")) parts.push(`dropped (was ${at(c.old_start, c.old_end)})`);
  if (c.kinds.includes("moved")) parts.push(`moved from ${at(c.old_start, c.old_end)} to ${at(c.new_start, c.new_end)}`);
  if (c.kinds.includes("room")) parts.push(`room ${c.old_room || "online"} → ${c.new_room || "online"}`);
  if (c.kinds.includes("mode")) parts.push(`${words(c.old_mode)} → ${words(c.new_mode)}`);
  if (c.kinds.includes("trainers")) {
    parts.push(`trainers ${c.trainers_off.length ? "−" + c.trainers_off.join(", −") : ""}`
      + `${c.trainers_off.length && c.trainers_on.length ? " " : ""}${c.trainers_on.length ? "+" + c.trainers_on.join(", +") : ""}`);
  }
  return parts.join("; ");
}

/** Waiting for a free solver (it shares the queue with the solves) or solving. */
function runActive(run) {
  return run.state === "queued" || run.state === "running";
}

function showRun(run) {
  const running = runActive(run);
  $("#scenario-run").disabled = running;
  $("#scenario-stop").disabled = !running;
  const p = run.progress;
  $("#scenario-status").textContent = run.state === "queued"
    ? `“${run.name}” waits for a free solver (other solves are running)…`
    : running
    ? `Solving “${run.name}”… ${p ? `${secs(p.elapsed_s)} of ${run.time_limit_s} s, objective ${num(p.objective)}` : "building the model"}`
    : `“${run.name}”: ${run.state}${run.message ? ": " + run.message : ""}`;
  const root = $("#scenario-result");
  if (running || !run.scenario) { root.replaceChildren(); return; }
  const changed = run.diff ? run.diff.changes.length : 0;
  if (run.state === "done") {
    $("#scenario-status").textContent = runFound(run)
      ? `“${run.name}” is solved: ${plural(changed, "edition")} changed, compared with the base calendar below.`
      : `“${run.name}” has no calendar (${run.scenario.status.toLowerCase()}): the reasons are below.`;
  }
  root.replaceChildren(...scenarioResult(run));
  root.scrollIntoView({ block: "start" });
}

function scenarioResult(run) {
  const b = run.base, sc = run.scenario;
  const changes = run.diff ? run.diff.changes : [];
  const counts = ["moved", "room", "trainers", "added", "dropped"]
    .map((k) => [k, changes.filter((c) => c.kinds.includes(k)).length]).filter(([, n]) => n);
  const delta = (x, y, format, better) => {
    if (x === null || y === null || x === undefined || y === undefined || x === y) return h("td", { class: "sub" }, x === y ? "same" : "–");
    const d = y - x;
    const good = better === 0 ? null : (d * better > 0);
    return h("td", { class: good === null ? "" : good ? "better" : "worse" }, `${d > 0 ? "+" : "−"}${format(Math.abs(d))}`);
  };
  const rows = [
    ["Solver status", (k) => k.status.toLowerCase(), null],
    ["Editions scheduled", (k) => `${k.editions_scheduled} / ${k.editions_total}`, null],
    ["Optional editions left out", (k) => k.optional_dropped, ["optional_dropped", (x) => x, -1]],
    ["Objective (points)", (k) => num(k.objective), ["objective", (x) => num(x), -1]],
    ["Gap", (k) => pct(k.gap), null],
    ["Women's share of trainer-days", (k) => pct(k.women_share_of_trainer_days), ["women_share_of_trainer_days", (x) => pct(x), 0]],
    ["Cost", (k) => usd(k.cost_usd), ["cost_usd", usd, -1]],
    ["Mean room use", (k) => pct(k.room_use), ["room_use", (x) => pct(x), 0]],
    ["Trainer-days spread (busiest − least busy)", (k) => k.trainer_days_spread, ["trainer_days_spread", (x) => x, -1]],
    ["Hard rules broken", (k) => k.hard_rules_broken, ["hard_rules_broken", (x) => x, -1]],
  ];
  const kpiTable = h("table", { class: "list compare" },
    h("caption", {}, "Key figures side by side"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, ""), h("th", { scope: "col" }, "Base calendar"),
      h("th", { scope: "col" }, run.name), h("th", { scope: "col" }, "Change"))),
    h("tbody", {}, rows.map(([label, show, d]) => h("tr", {}, h("th", { scope: "row" }, label),
      h("td", {}, show(b)), h("td", {}, show(sc)), d ? delta(b[d[0]], sc[d[0]], d[1], d[2]) : h("td", {})))));
  const scenarioEditions = run.editions.map((e) => enrich(e));
  const changedIds = new Set(changes.map((c) => c.edition));
  const onlyChanged = h("input", { type: "checkbox", id: "only-changed", checked: changes.length > 0 });
  const panes = h("div", { class: "side-by-side" });
  // Both panes list the same editions in the same order: the base calendar's, then those added.
  const order = state.view.editions.map((e) => e.edition)
    .concat(scenarioEditions.map((e) => e.edition).filter((id) => !state.view.editions.some((e) => e.edition === id)));
  const drawPanes = () => {
    const only = onlyChanged.checked;
    const pick = (list) => {
      const by = new Map(list.map((e) => [e.edition, e]));
      return order.filter((id) => !only || changedIds.has(id)).map((id) => by.get(id) || { edition: id });
    };
    const mark = (kind) => (e) => {
      const c = changes.find((x) => x.edition === e.edition);
      return c ? (c.kinds.includes("added") ? "added" : c.kinds.includes("dropped") ? "dropped" : kind) : null;
    };
    const left = h("div", { class: "pane" }), right = h("div", { class: "pane" });
    renderGantt(left, pick(state.view.editions), state.view,
      { title: h("strong", {}, "Base calendar"), mark: mark("was"), none: "No edition changed.", absent: "not in the base" });
    renderGantt(right, pick(scenarioEditions), state.view,
      { title: h("strong", {}, run.name), mark: mark("now"), source: "scenario", none: "No edition changed.",
        absent: "dropped" });
    panes.replaceChildren(left, right);
  };
  onlyChanged.addEventListener("change", drawPanes);
  drawPanes();
  const at = (a, b, room, trainers) => a ? [h("span", {}, dateSpan(a, b)), h("br"),
    h("span", { class: "sub" }, `${room || "online"}${trainers ? " · " + trainers.join(", ") : ""}`)] : "–";
  const baseBy = new Map(state.view.editions.map((e) => [e.edition, e]));
  const newBy = new Map(scenarioEditions.map((e) => [e.edition, e]));
  return [
    h("div", { class: "card" },
      h("h2", {}, `Base calendar vs “${run.name}”`),
      run.description ? h("p", { class: "hint" }, run.description) : null,
      h("p", {}, h("strong", {}, "Changes: "), run.changes.join("; ") || "none"),
      run.diagnosis.length ? h("ul", { class: "issues" }, run.diagnosis.map((d) => h("li", {}, d))) : null,
      h("div", { class: "compare-side" },
        h("div", {},
          h("div", { class: "table-wrap" }, kpiTable),
          h("p", { class: "sub" }, "The scenario's objective includes the points it pays for moving editions of the "
            + "base calendar, so that it moves only what it must.")),
        runFound(run) ? publishRunForm(run) : nothingToPublish(run))),
    h("div", { class: "card" },
      h("h2", {}, changes.length
        ? `${plural(changes.length, "edition")} changed: ${counts.map(([k, n]) => `${n} ${{ room: "re-roomed", trainers: "re-staffed" }[k] || k}`).join(", ")}`
        : "No edition changed"),
      changes.length ? h("div", { class: "table-wrap" }, h("table", { class: "list changes-table" },
        h("caption", { class: "sr-only" }, "Editions changed"),
        h("thead", {}, h("tr", {}, ["Edition", "What changed", "Base calendar", run.name, "Why"]
          .map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, changes.map((c) => {
          const old = baseBy.get(c.edition), now = newBy.get(c.edition);
          return h("tr", {},
            h("th", { scope: "row" }, h("button", { type: "button", class: "g-id",
              style: { borderLeftColor: moduleOf((now || old || {}).module).colour },
              onclick: () => openEdition(now || old, now ? "scenario" : null) }, c.edition)),
            h("td", {}, describeChange(c)),
            h("td", {}, at(c.old_start, c.old_end, c.old_room, old && old.trainers)),
            h("td", { class: "now" }, at(c.new_start, c.new_end, c.new_room, now && now.trainers)),
            h("td", { class: "reason" }, c.why.join("; ")));
        })))) : runFound(run) ? h("p", { class: "ok" }, "The calendar absorbs this scenario without moving anything.")
        : h("p", { class: "bad" }, "No calendar keeps every rule in this scenario, so nothing can be compared."),
      h("div", { class: "row" }, h("label", { class: "inline" }, onlyChanged, " only the editions that changed"),
        h("span", { class: "sub" }, h("span", { class: "swatch was" }), "highlighted: changed")),
      panes),
  ];
}

/** Did the run end with a calendar? One stopped before finding any, or with none possible, has none to publish. */
function runFound(run) {
  return Boolean(run.scenario) && ["OPTIMAL", "FEASIBLE"].includes(run.scenario.status);
}

/** The scenario's calendar published as the next version, with a note: at first the scenario's name. */
function publishRunForm(run) {
  const note = h("input", { type: "text", id: "run-note", maxlength: 1000, value: run.name });
  const button = h("button", { type: "submit", id: "run-publish", class: "primary" }, "Publish this calendar");
  const out = h("div", { id: "run-publish-result", class: "errors", "aria-live": "polite" });
  const form = h("form", { class: "publish-run", "aria-labelledby": "run-publish-title" },
    h("h3", { id: "run-publish-title" }, "Publish this calendar"),
    h("p", { class: "sub" }, "Keeps the scenario's calendar as the next numbered version, with a note saying why. "
      + "The trainers' and rooms' feeds then show it; its notices are in Published."),
    h("label", { for: "run-note" }, "Note"), note,
    h("div", { class: "row" }, button), out);
  form.addEventListener("submit", (event) => publishRun(event, run, note, button, out));
  return form;
}

function nothingToPublish(run) {
  const status = run.scenario ? run.scenario.status.toLowerCase() : run.state;
  return h("div", { class: "publish-run", id: "run-nothing" },
    h("h3", {}, "Publish this calendar"),
    h("p", { class: "sub" }, `Nothing to publish: the scenario ended without a calendar (${status}).`));
}

async function publishRun(event, run, note, button, out) {
  event.preventDefault();
  button.disabled = true;
  out.replaceChildren(h("p", { class: "message" }, "Publishing…"));
  try {
    const { status, data } = await apiAnswer(`/scenarios/runs/${encodeURIComponent(run.id)}/publish`,
      { method: "POST", json: { note: note.value.trim() } });
    // The Published tab reads its lists again when opened: the link shows the version there.
    const see = h("a", { href: "#published" }, "See it in Published →");
    if (status === 201) {
      $("#publish-result").replaceChildren();  // the tab's last answer, about an older version
      out.replaceChildren(h("p", { class: "ok", id: "run-published" }, `✓ Published as version ${data.number}. `, see));
    } else {
      out.replaceChildren(h("p", { class: "message", id: "run-published" },
        `This calendar was published before: version ${data.number}, of ${when(data.published_at)}`,
        data.note ? ` (“${data.note}”)` : "", ". Nothing changed: a note typed now is not kept. ", see));
    }
  } catch (err) {
    const errors = err.errors || [];
    out.replaceChildren(h("p", { class: "bad" }, `✗ Not published: ${err.message}`),
      ...(errors.length ? [h("ul", { class: "error-list" }, errors.map((e) => h("li", {}, e)))] : []));
  } finally {
    button.disabled = false;
  }
}

/** A scenario's scheduled edition with the fields the calendar view adds. */
function enrich(e) {
  const base = state.view.editions.find((x) => x.edition === e.edition);
  return {
    ...e,
    organisations: [...new Set(e.trainers.map((t) => trainerOf(t).organisation))].sort(),
    seated: null, costs: null, mandatory: base ? base.mandatory : true, priority: base ? base.priority : 0,
    issues: [],
  };
}

// ---------------------------------------------------------------------------- budget frontier

async function runFrontier(event) {
  event.preventDefault();
  const body = {
    start_usd: Number($("#frontier-from").value),
    stop_usd: Number($("#frontier-to").value),
    step_usd: Number($("#frontier-step").value),
    time_limit_s: Number($("#frontier-limit").value) || 10,
  };
  $("#frontier-errors").replaceChildren();
  $("#frontier-run").disabled = true;
  try {
    const run = await api(`/problems/${encodeURIComponent(state.problemId)}/frontier`, { method: "POST", json: body });
    state.frontier = run;
    showFrontier(run);
    pollFrontier(run.id);
  } catch (err) {
    $("#frontier-run").disabled = false;
    const errors = err.errors || [];
    $("#frontier-errors").replaceChildren(
      h("p", { class: "bad" }, err.status === 429 ? `${err.message} (the solver is busy)` : err.message),
      ...(errors.length ? [h("ul", { class: "error-list" }, errors.map((e) => h("li", {}, e)))] : []));
  }
}

function pollFrontier(id) {
  clearTimeout(state.frontierTimer);
  state.frontierTimer = setTimeout(async () => {
    try {
      const run = await api(`/frontier/runs/${encodeURIComponent(id)}`);
      if (!state.frontier || state.frontier.id !== id) return;
      state.frontier = run;
      showFrontier(run);
      if (runActive(run)) pollFrontier(id);
    } catch (err) {
      showAlert(err);
      $("#frontier-run").disabled = false;
    }
  }, 700);
}

async function stopFrontier() {
  if (!state.frontier) return;
  $("#frontier-stop").disabled = true;
  $("#frontier-status").textContent = "Stopping… the budgets solved so far are kept.";
  try {
    state.frontier = await api(`/frontier/runs/${encodeURIComponent(state.frontier.id)}`, { method: "DELETE" });
    showFrontier(state.frontier);
  } catch (err) {
    showAlert(err);
  }
}

function showFrontier(run) {
  const running = runActive(run);
  const total = run.budgets_usd.length;
  const p = run.progress;
  const done = p ? p.budgets_done : 0;
  $("#frontier-run").disabled = running;
  $("#frontier-stop").disabled = !running;
  const bar = $("#frontier-progress");
  bar.hidden = !running;
  bar.max = total;
  bar.value = done;
  bar.setAttribute("aria-valuetext", `${done} of ${plural(total, "budget")} solved`);
  const search = p && p.solve ? `, ${secs(p.solve.elapsed_s)} of ${run.time_limit_s} s` : "";
  $("#frontier-status").textContent = run.state === "queued"
    ? "Waiting for a free solver (other solves are running)…"
    : running
    ? `Solving at ${p && p.budget_usd !== null ? usd(p.budget_usd) : "the first budget"}: `
      + `budget ${Math.min(done + 1, total)} of ${total}${search}…`
    : `“${run.problem}”: ${run.state}, ${done} of ${plural(total, "budget")} solved`
      + (run.message ? `: ${run.message}` : ".");
  $("#frontier-result").replaceChildren(...frontierResult(run));
}

const hasCalendar = (point) => point.solved_at_usd !== null;
const signed = (d) => (d > 0 ? `+${d}` : d < 0 ? `−${-d}` : "0");

/** What a budget buys over the one before it, in words. */
function stepGain(point, before) {
  if (!before) return "–";
  if (!hasCalendar(point)) return "no calendar";
  if (!hasCalendar(before)) return `a first calendar: ${plural(point.seated, "request")} seated`;
  const d = point.seated - before.seated;
  const modes = `in person ${signed(point.in_person - before.in_person)}, online ${signed(point.online - before.online)}`;
  return d > 0 ? `+${plural(d, "request")} seated (${modes})` : `nothing more (${modes})`;
}

function frontierResult(run) {
  const points = run.points;
  if (!points.length) return [];
  const levels = [...new Set(points.flatMap((p) => Object.keys(p.requests_by_priority)))]
    .sort((a, b) => Number(b) - Number(a));
  const first = points.find(hasCalendar), last = [...points].reverse().find(hasCalendar);
  const summary = first
    ? `From ${usd(first.budget_usd)} to ${usd(last.budget_usd)}, the requests seated go from `
      + `${servedText(first.seated, first.requests)} to ${servedText(last.seated, last.requests)}.`
    : "No budget gives a calendar that keeps within it.";
  const cell = (point, text) => h("td", { class: "num" }, hasCalendar(point) ? text : "–");
  const table = h("table", { class: "list frontier-table" },
    h("caption", {}, "Each budget: the best calendar found at or below it"),
    h("thead", {}, h("tr", {}, ["Budget", "What this step buys", "Requests seated",
      ...levels.map((l) => `Priority ${l}`), "In person", "Online", "Women among participants", "Cost",
      "Editions", "Calendar from"].map((t, i) => h("th", { scope: "col", class: i === 1 ? null : "num" }, t)))),
    h("tbody", {}, points.map((point, i) => h("tr", { class: hasCalendar(point) ? null : "none" },
      h("th", { scope: "row", class: "num nowrap" }, usd(point.budget_usd)),
      h("td", { class: "gain" }, stepGain(point, points[i - 1])),
      hasCalendar(point) ? h("td", { class: "num" }, servedText(point.seated, point.requests))
        : h("td", {}, h("span", { class: "bad" }, "no calendar"),
          point.why.length ? h("div", { class: "sub" }, point.why.join("; ")) : null),
      levels.map((l) => cell(point, servedText(point.seated_by_priority[l] || 0, point.requests_by_priority[l] || 0))),
      cell(point, num(point.in_person, 0)), cell(point, num(point.online, 0)),
      cell(point, pct(point.women_share, 0)), h("td", { class: "num nowrap" }, hasCalendar(point) ? usd(point.cost_usd) : "–"),
      cell(point, point.editions),
      h("td", { class: "sub" }, !hasCalendar(point) ? point.status.toLowerCase()
        : point.solved_at_usd === point.budget_usd ? "its own solve" : `the solve at ${usd(point.solved_at_usd)}`)))));
  return [h("div", { class: "card" },
    h("h2", {}, "What each extra step of budget buys"),
    h("p", {}, summary),
    h("p", { class: "hint" }, "A request is a nominee and a topic they asked for; it is seated when the nominee "
      + "sits in an edition of that topic. Each row shows what its budget adds to the one before it."),
    h("figure", { class: "chart-box frontier-box" }, frontierChart(points),
      h("figcaption", {}, h("span", { class: "key seated" }), " requests seated",
        h("span", { class: "key in-person" }), " seats in person", h("span", { class: "key online" }), " seats online",
        h("span", { class: "key requests" }), " requests in all")),
    h("div", { class: "table-wrap" }, table),
    run.links.workbook ? h("p", {}, download(run.links.workbook, `rtcm-frontier-${run.id.slice(0, 8)}.xlsx`,
      "Workbook of the frontier (.xlsx)"), h("span", { class: "sub" }, " the table and its chart")) : null)];
}

/** Requests seated, and seats in person and online, against the budget: an SVG line chart. */
function frontierChart(points) {
  const W = 640, H = 240, L = 56, R = 18, T = 14, B = 40;
  const budgets = points.map((p) => p.budget_usd);
  let lo = Math.min(...budgets), hi = Math.max(...budgets);
  if (hi === lo) { lo -= 1; hi += 1; }
  const shown = points.filter(hasCalendar);
  const requests = Math.max(0, ...points.map((p) => p.requests));
  const top = Math.max(1, requests, ...shown.map((p) => p.seated));
  const x = (b) => L + (W - L - R) * (b - lo) / (hi - lo);
  const y = (v) => T + (H - T - B) * (1 - v / top);
  const first = shown[0], last = shown[shown.length - 1];
  const svg = s("svg", {
    id: "frontier-chart", viewBox: `0 0 ${W} ${H}`, role: "img",
    "aria-label": first ? `Requests seated against the budget: ${first.seated} at ${usd(first.budget_usd)}, `
      + `${last.seated} at ${usd(last.budget_usd)}, of ${requests} requests` : "No budget gives a calendar",
  });
  const label = (px, py, text, anchor, cls = "axis") => {
    const el = s("text", { x: px, y: py, "text-anchor": anchor, class: cls });
    el.textContent = text;
    svg.append(el);
  };
  svg.append(s("rect", { x: L, y: T, width: W - L - R, height: H - T - B, class: "plot" }));
  label(L - 6, y(top) + 4, num(top, 0), "end");
  label(L - 6, y(0) + 4, "0", "end");
  label(x(lo), H - B + 16, usd(lo), "start");
  label(x(hi), H - B + 16, usd(hi), "end");
  label((L + W - R) / 2, H - 6, "budget (USD)", "middle", "axis title");
  if (requests) svg.append(s("line", { x1: L, x2: W - R, y1: y(requests), y2: y(requests), class: "requests" }));
  // Seated first: the seats in person, often the same, are drawn dashed over it.
  for (const [key, cls] of [["seated", "seated"], ["in_person", "in-person"], ["online", "online"]]) {
    let d = "", gap = true;
    for (const p of points) {
      if (!hasCalendar(p)) { gap = true; continue; }
      d += `${gap ? "M" : "L"}${x(p.budget_usd).toFixed(1)},${y(p[key]).toFixed(1)}`;
      gap = false;
    }
    if (d) svg.append(s("path", { d, class: `line ${cls}` }));
  }
  for (const p of shown) {
    const dot = s("circle", { cx: x(p.budget_usd), cy: y(p.seated), r: 4, class: "dot seated" });
    const title = s("title", {});
    title.textContent = `${usd(p.budget_usd)}: ${servedText(p.seated, p.requests)} requests seated, `
      + `${p.in_person} in person, ${p.online} online`;
    dot.append(title);
    svg.append(dot);
  }
  return svg;
}

// ---------------------------------------------------------------------------- rollout

const rolloutQuery = (years) => (years ? `?years=${years}` : "");

/** The rollout of the calendar shown over the years chosen (none chosen: the problem's), planned by the
 *  service the first time it is asked for; the schedule's problem gives the budget, the themes' topics
 *  and the topics dropped. */
async function loadRollout() {
  const job = state.job;
  if (!job) return;
  const years = state.rolloutYears;
  const key = `${job.id}/${years || ""}`;
  if (state.rollout && state.rollout.key === key) return;
  const entry = { key, plan: null };
  state.rollout = entry;
  const select = $("#rollout-years");
  select.disabled = true;
  $("#rollout-errors").replaceChildren();
  $("#rollout-status").textContent = "Planning the later years…";
  try {
    const [plan, schedule] = await Promise.all([api(`/jobs/${job.id}/rollout${rolloutQuery(years)}`),
      loadSchedule(job)]);
    if (state.rollout !== entry) return;  // another calendar or number of years asked for since
    entry.plan = plan;
    select.value = String(plan.years);
    renderRollout(job, years, plan, schedule);
  } catch (err) {
    if (state.rollout !== entry) return;
    state.rollout = null;  // asked again, it is planned again
    $("#rollout-status").textContent = "";
    $("#rollout-result").replaceChildren();
    const errors = err.errors || [];
    // replaceChildren writes a null as the text "null": the list only when there is one.
    $("#rollout-errors").replaceChildren(h("p", { class: "bad" }, err.message),
      ...(errors.length ? [h("ul", { class: "error-list" }, errors.map((e) => h("li", {}, e)))] : []));
  } finally {
    if (state.rollout === entry || state.rollout === null) select.disabled = false;
  }
}

function renderRollout(job, years, plan, schedule) {
  const problem = schedule ? schedule.problem : null;
  const budget = problem ? problem.budget_usd : null;
  const dropped = new Set(problem && problem.rollout ? problem.rollout.dropped : []);
  const themeTopics = new Map((problem && problem.rollout ? problem.rollout.themes : []).map((t) => [t.id, t.topics]));
  const topics = new Map(state.view.topics.map((t) => [t.id, t]));
  const found = !plan.diagnosis.length;
  const yearsShown = [...new Set(plan.quarters.map((q) => q.year))];
  const quartersOf = (year) => plan.quarters.filter((q) => q.year === year);
  const runs = new Map(), days = new Map(), cost = new Map();
  for (const e of plan.editions) {
    runs.set(`${e.topic} ${e.quarter}`, (runs.get(`${e.topic} ${e.quarter}`) || 0) + 1);
    days.set(e.quarter, (days.get(e.quarter) || 0) + e.days);
    cost.set(e.year, (cost.get(e.year) || 0) + e.cost_usd);
  }
  const carried = Object.keys(plan.carried_requests).length > 0;
  $("#rollout-status").textContent = `“${plan.problem}”: `
    + (found ? `${plural(plan.years, "year")}, ${(plan.status || "").toLowerCase()}.`
      : `no rollout over ${plural(plan.years, "year")} (${(plan.status || "").toLowerCase()}).`);

  const quarterName = (q) => `${q.label.slice(-2)} ${q.label.slice(0, 4)}`;
  const rows = Object.keys(plan.topic_days).map((id) => {
    const topic = topics.get(id) || { id, title: "", module: 0 };
    const module = moduleOf(topic.module);
    const counts = plan.quarters.map((q) => runs.get(`${id} ${q.label}`) || 0);
    const total = counts.reduce((a, b) => a + b, 0);
    return h("tr", { class: total ? null : "none", dataset: { topic: id } },
      h("th", { scope: "row", class: "topic", style: { borderLeftColor: module.colour } },
        h("span", { class: "swatch", style: { background: module.colour }, title: `Module ${module.number}` }),
        h("strong", {}, id), " ", h("span", { class: "sub", title: topic.title }, shortTitle(topic.title)),
        dropped.has(id) ? h("span", { class: "pill" }, "dropped") : null),
      plan.quarters.map((q, i) => counts[i]
        ? h("td", { class: `num run${q.year === 1 ? " calendar" : ""}`, style: { background: module.colour } }, counts[i])
        : h("td", { class: "num zero" }, h("span", { class: "sr-only" }, "0"))),
      h("td", { class: "num" }, total || (dropped.has(id) ? "0" : h("span", { class: "bad" }, "0"))),
      h("td", { class: "num" }, plan.topic_days[id] ?? "–"),
      h("td", { class: "num nowrap" }, id in plan.topic_cost_usd ? usd(plan.topic_cost_usd[id]) : "no team"),
      carried ? h("td", { class: "num" }, plan.carried_requests[id] || "") : null);
  });
  const dayCells = plan.quarters.map((q) => {
    const held = days.get(q.label) || 0, most = plan.most_days[q.label];
    const over = most !== undefined && held > most;
    return h("td", { class: `q nowrap${over ? " over" : ""}` }, most === undefined ? `${held}` : `${held} / ${most}`);
  });
  const grid = h("table", { class: "list rollout-grid", id: "rollout-grid" },
    h("caption", {}, "Editions of each topic by quarter"),
    h("thead", {},
      h("tr", {}, h("th", { scope: "col", rowspan: 2 }, "Topic"),
        yearsShown.map((y) => h("th", { scope: "colgroup", colspan: quartersOf(y).length, class: "year" },
          `Year ${y}`, h("span", { class: "sub block" }, y === 1 ? "the calendar" : "planned"))),
        h("th", { scope: "col", rowspan: 2, class: "num" }, "Editions"),
        h("th", { scope: "col", rowspan: 2, class: "num" }, "Days each"),
        h("th", { scope: "col", rowspan: 2, class: "num" }, "Estimated cost"),
        carried ? h("th", { scope: "col", rowspan: 2, class: "num" }, "Requests carried from year 1") : null),
      h("tr", {}, plan.quarters.map((q) => h("th", { scope: "col", class: "q nowrap", title: `${q.working_days} working days` },
        quarterName(q))))),
    h("tbody", {}, rows),
    h("tfoot", {}, h("tr", {},
      h("th", { scope: "row" }, "Course days", h("span", { class: "sub" }, " / the most a later quarter holds")),
      dayCells, h("td", { colspan: carried ? 4 : 3 }))));

  // Without a rollout the later years are not planned: their cost is not known.
  const costRows = (found ? yearsShown : [1]).map((y) => {
    const spent = cost.get(y) || 0;
    const over = budget !== null && budget !== undefined && spent > budget;
    return h("tr", { class: over ? "fail" : null },
      h("th", { scope: "row", class: "nowrap" }, `Year ${y}`,
        h("span", { class: "sub" }, y === 1 ? " (the calendar)" : " (estimated)")),
      h("td", { class: "num nowrap" }, usd(spent)), h("td", { class: "num nowrap" }, usd(budget)),
      h("td", {}, budget === null || budget === undefined ? h("span", { class: "sub" }, "no budget")
        : h("span", { class: `pill ${over ? "fail" : "pass"}` }, over ? "over the budget" : "within it")));
  });
  const costTable = h("table", { class: "list rollout-costs" },
    h("caption", {}, "Cost per year against the budget"),
    h("thead", {}, h("tr", {}, ["Year", "Cost", "Budget", "Within it"].map((t, i) =>
      h("th", { scope: "col", class: i === 1 || i === 2 ? "num" : null }, t)))),
    h("tbody", {}, costRows));

  const themeRows = plan.themes.map((t) => {
    const onTime = t.covered_in_year !== null && t.covered_in_year <= t.by_year;
    return h("tr", { class: onTime ? null : "fail" },
      h("th", { scope: "row" }, t.name || t.theme, t.name ? h("span", { class: "sub" }, ` (${t.theme})`) : null),
      h("td", { class: "sub" }, (themeTopics.get(t.theme) || []).join(", ")),
      h("td", { class: "num" }, t.by_year), h("td", { class: "num" }, t.covered_in_year ?? "–"),
      h("td", {}, t.missing.length ? t.missing.join(", ") : h("span", { class: "sub" }, "none")),
      h("td", {}, h("span", { class: `pill ${onTime ? "pass" : "fail"}` }, onTime ? "on time" : "late")));
  });
  const themes = plan.themes.length ? h("table", { class: "list rollout-themes" },
    h("caption", {}, "Themes: due by, and covered in"),
    h("thead", {}, h("tr", {}, ["Theme", "Topics", "Due by year", "Covered in year", "Not run", "Status"].map((t, i) =>
      h("th", { scope: "col", class: i === 2 || i === 3 ? "num" : null }, t)))),
    h("tbody", {}, themeRows)) : null;

  const short = job.id.slice(0, 8);
  const diagnosis = found ? [] : [h("div", { class: "card rollout-none", id: "rollout-diagnosis" },
    h("h2", {}, `No rollout over ${plural(plan.years, "year")}`),
    h("p", {}, "No plan of the later years keeps every rule together; the grid shows year 1 alone. Why:"),
    h("ul", { class: "issues" }, plan.diagnosis.map((d) => h("li", {}, d))))];
  $("#rollout-result").replaceChildren(...diagnosis,
    h("div", { class: "card" },
      h("h2", {}, found ? `The rollout over ${plural(plan.years, "year")}` : "Year 1"),
      h("p", { class: "hint" }, "Each cell is the number of editions of a topic in a quarter, coloured by module. "
        + "A later year's edition runs the topic's full length at its first year's cost (or the least it can cost)."),
      h("div", { class: "table-wrap" }, grid),
      h("div", { class: "rollout-side" }, h("div", { class: "table-wrap" }, costTable),
        themes ? h("div", { class: "table-wrap" }, themes)
          : h("p", { class: "sub" }, found ? "This problem's rollout names no themes." : "")),
      h("p", {}, download(`/jobs/${job.id}/rollout.xlsx${rolloutQuery(years)}`, `rtcm-rollout-${short}.xlsx`,
        "Workbook of the rollout (.xlsx)"), h("span", { class: "sub" }, " the calendar's sheets and a Rollout sheet"))));
}

// ---------------------------------------------------------------------------- downloads

function download(href, filename, text) {
  return h("a", {
    href, download: filename, class: "download",
    onclick: async (event) => {
      if (!state.token) return;  // a plain link when the service needs no token
      event.preventDefault();
      const response = await request(href);
      if (!response.ok) { showAlert(`${filename}: the service answered ${response.status}`); return; }
      const url = URL.createObjectURL(await response.blob());
      const a = h("a", { href: url, download: filename });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    },
  }, text);
}

function renderDownloads() {
  const v = state.view, job = state.job;
  const short = job.id.slice(0, 8);
  const count = (pick) => { const c = new Map(); for (const e of v.editions) for (const k of pick(e)) c.set(k, (c.get(k) || 0) + 1); return c; };
  const byTrainer = count((e) => e.trainers), byRoom = count((e) => (e.room ? [e.room] : []));
  const daysOf = new Map();
  for (const e of v.editions) for (const t of e.trainers) daysOf.set(t, (daysOf.get(t) || 0) + e.days.length);
  // Guest sessions, once the schedule is read: a guest's calendar holds their day in each edition.
  const schedule = state.schedule && state.schedule.jobId === job.id ? state.schedule.value : null;
  const sessionsOf = new Map();
  for (const se of schedule ? schedule.editions : []) {
    for (const g of se.guests || []) {
      sessionsOf.set(g.person, (sessionsOf.get(g.person) || 0) + 1);
      daysOf.set(g.person, (daysOf.get(g.person) || 0) + 1);
    }
  }
  const teaching = v.trainers.filter((t) => byTrainer.has(t.id) || sessionsOf.has(t.id));
  $("#downloads").replaceChildren(
    h("div", { class: "card" },
      h("h2", {}, "The calendar"),
      h("p", { class: "hint" }, `${v.problem}: ${v.editions_scheduled} of ${v.editions_total} editions (solve ${short}).`),
      h("ul", { class: "downloads" },
        h("li", {}, download(`/jobs/${job.id}/schedule.xlsx`, `rtcm-schedule-${short}.xlsx`, "Excel workbook (.xlsx)"),
          h("span", { class: "sub" }, " Summary, calendar by week, month view, editions, guest sessions, "
            + "trainers and resource persons, rooms, gender parity, issues")),
        h("li", {}, download(`/jobs/${job.id}/schedule`, `rtcm-schedule-${short}.json`, "Schedule (.json)"),
          h("span", { class: "sub" }, " the calendar with its problem, for rtcm check or another tool")),
        h("li", {}, download(`/jobs/${job.id}/rollout.xlsx`, `rtcm-rollout-${short}.xlsx`, "Rollout workbook (.xlsx)"),
          h("span", { class: "sub" }, " the workbook above with a Rollout sheet: every topic by quarter over the "
            + "problem's years (see Rollout)")))),
    h("div", { class: "card" },
      h("h2", {}, "Trainers' calendars (.ics)"),
      h("p", { class: "hint" }, "One file per trainer, to import into Outlook, Google Calendar or any calendar app: "
        + "their courses, and each guest session they give on its day. "
        + "Importing an updated file moves the courses instead of adding them twice."),
      h("div", { class: "table-wrap ics" }, h("table", { class: "list" },
        h("caption", { class: "sr-only" }, "Trainers' calendars"),
        h("thead", {}, h("tr", {}, ["Trainer", "Organisation", "Courses", "Guest sessions", "Training days",
          "Calendar file"].map((t, i) => h("th", { scope: "col", class: i >= 2 && i <= 4 ? "num" : null }, t)))),
        h("tbody", {}, teaching.map((t) => h("tr", {},
          h("th", { scope: "row" }, h("strong", {}, t.id), ` ${t.name}`), h("td", {}, t.organisation),
          h("td", { class: "num" }, byTrainer.get(t.id) || 0), h("td", { class: "num" }, sessionsOf.get(t.id) || 0),
          h("td", { class: "num" }, daysOf.get(t.id)),
          h("td", {}, download(`/jobs/${job.id}/trainers/${encodeURIComponent(t.id)}.ics`, `trainer-${t.id}.ics`,
            `trainer-${t.id}.ics`))))))),
      v.trainers.length > teaching.length
        ? h("p", { class: "sub" }, `${plural(v.trainers.length - teaching.length, "trainer")} without a course `
          + "or guest session this year are not listed.") : null),
    h("div", { class: "card" },
      h("h2", {}, "Rooms' calendars (.ics)"),
      h("div", { class: "table-wrap ics" }, h("table", { class: "list" },
        h("caption", { class: "sr-only" }, "Rooms' calendars"),
        h("thead", {}, h("tr", {}, ["Room", "Venue", "Courses", "Calendar file"]
          .map((t, i) => h("th", { scope: "col", class: i === 2 ? "num" : null }, t)))),
        h("tbody", {}, v.rooms.map((r) => h("tr", {},
          h("th", { scope: "row" }, h("strong", {}, r.id), ` ${r.name}`), h("td", {}, r.venue_name),
          h("td", { class: "num" }, byRoom.get(r.id) || 0),
          h("td", {}, download(`/jobs/${job.id}/rooms/${encodeURIComponent(r.id)}.ics`, `room-${r.id}.ics`,
            `room-${r.id}.ics`)))))))));
}

// ---------------------------------------------------------------------------- published

const F_WHEN = new Intl.DateTimeFormat("en-GB",
  { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
const when = (iso) => F_WHEN.format(new Date(iso));
const clip = (text, most) => (text.length > most ? text.slice(0, most - 1) + "…" : text);
const VERSIONS_PAGE = 500;
let publishedAsks = 0;

/** The published versions (newest first) and the feeds, read again each time the tab is looked at. */
async function loadPublished() {
  const ask = ++publishedAsks;
  if (!state.versions) $("#versions-status").textContent = "Reading the published versions…";
  let versions, feeds;
  try {
    versions = [];
    for (;;) {
      const page = await api(`/published?limit=${VERSIONS_PAGE}&offset=${versions.length}`);
      versions.push(...page);
      if (page.length < VERSIONS_PAGE) break;
    }
    feeds = await api("/published/feeds");
  } catch (err) {
    if (ask !== publishedAsks) return;
    $("#versions-status").textContent = "";
    showAlert(err);
    return;
  }
  if (ask !== publishedAsks) return;  // read again since: the later answer is shown
  state.versions = versions;
  state.feeds = feeds;
  renderPublishJob();
  renderVersions();
  fillVersionChoices();
  renderFeeds();
  loadDiff();
  loadNotices();
}

function renderPublishJob() {
  const job = state.job, v = state.view;
  $("#publish-button").disabled = !job;
  $("#publish-note").disabled = !job;
  if (!job) return;  // the page's own sentence: no calendar shown
  const version = (state.versions || []).find((x) => x.source === job.id);
  // replaceChildren writes a null as the text "null": the pill only once the versions are read.
  $("#publish-job").replaceChildren("Calendar shown: ", h("strong", {}, v.problem),
    ` · ${v.editions_scheduled} / ${v.editions_total} editions · solve ${job.id.slice(0, 8)} `,
    ...(version ? [h("span", { class: "pill pass" }, `published as version ${version.number}`)]
      : state.versions ? [h("span", { class: "pill" }, "not published")] : []));
}

async function publishCalendar(event) {
  event.preventDefault();
  const job = state.job;
  if (!job) return;
  const out = $("#publish-result");
  const button = $("#publish-button");
  button.disabled = true;
  out.replaceChildren(h("p", { class: "message" }, "Publishing…"));
  try {
    const { status, data } = await apiAnswer(`/jobs/${encodeURIComponent(job.id)}/publish`,
      { method: "POST", json: { note: $("#publish-note").value.trim() } });
    await loadPublished();  // the versions, feeds and choices hold the new version when the page says so
    if (status === 201) {
      $("#publish-note").value = "";
      out.replaceChildren(h("p", { class: "ok", id: "published-as" }, `✓ Published as version ${data.number}. `,
        h("span", { class: "sub" }, "The feeds show it from now on; read its notices below before sending them.")));
    } else {
      out.replaceChildren(h("p", { class: "message", id: "published-as" },
        `This calendar was published before: it is version ${data.number}, of ${when(data.published_at)}`,
        data.note ? ` (“${data.note}”)` : "", ". Nothing changed: a note typed now is not kept."));
    }
  } catch (err) {
    const errors = err.errors || [];
    out.replaceChildren(h("p", { class: "bad" }, `✗ Not published: ${err.message}`),
      ...(errors.length ? [h("ul", { class: "error-list" }, errors.map((e) => h("li", {}, e)))] : []));
  } finally {
    button.disabled = !state.job;
  }
}

function renderVersions() {
  const versions = state.versions;
  $("#versions-status").textContent = versions.length
    ? `${plural(versions.length, "version")} published, the newest first.`
    : "Nothing published yet: publish the calendar shown above.";
  $("#versions tbody").replaceChildren(...versions.map((v) => h("tr", {
    class: state.job && v.source === state.job.id ? "chosen" : null, dataset: { version: v.number } },
  h("th", { scope: "row", class: "num" }, v.number),
  h("td", { class: "nowrap" }, when(v.published_at)),
  h("td", { class: "note" }, v.note || h("span", { class: "sub" }, "no note")),
  h("td", { class: "num" }, v.editions_scheduled),
  h("td", { class: "num" }, num(v.objective)),
  h("td", { class: "num nowrap" }, usd(v.cost_usd)),
  h("td", { class: "num" }, v.hard_rules_broken ? h("span", { class: "bad" }, v.hard_rules_broken) : "0"),
  h("td", { class: "sub nowrap", title: v.source }, v.source.slice(0, 8)))));
}

const versionLabel = (v) => `${v.number} · ${when(v.published_at)}${v.note ? " · " + clip(v.note, 40) : ""}`;

/** The versions to compare and the version whose notices are shown: the newest and the one before it
 *  at first and whenever a newer version appears; else as chosen. */
function fillVersionChoices() {
  const versions = state.versions;
  const newest = versions.length ? versions[0].number : null;
  const fresh = newest !== state.newestShown;
  state.newestShown = newest;
  const pick = (id, fallback) => {
    const chosen = $(id).value;
    return !fresh && versions.some((v) => String(v.number) === chosen) ? chosen : String(fallback);
  };
  const from = pick("#diff-from", versions.length > 1 ? versions[1].number : newest);
  const to = pick("#diff-to", newest);
  const n = pick("#notices-version", newest);
  $("#diff-from").replaceChildren(...versions.map((v) => option(String(v.number), versionLabel(v), from)));
  $("#diff-to").replaceChildren(...versions.map((v) => option(String(v.number), versionLabel(v), to)));
  $("#notices-version").replaceChildren(...versions.map((v) => option(String(v.number), versionLabel(v), n)));
  for (const id of ["#diff-from", "#diff-to", "#notices-version"]) $(id).disabled = !versions.length;
  fillSince(fresh);
}

/** The versions a version's notices may be compared with: every earlier one, or none (everyone's courses). */
function fillSince(reset) {
  const n = Number($("#notices-version").value) || 0;
  const chosen = reset ? null : $("#notices-since").value;
  const since = chosen !== null && chosen !== "" && Number(chosen) < n ? chosen : String(Math.max(n - 1, 0));
  const options = [];
  for (let m = n - 1; m >= 1; m--) options.push(option(String(m), m === n - 1 ? `${m}, the one before` : String(m), since));
  options.push(option("0", "none: everyone's courses", since));
  $("#notices-since").replaceChildren(...(n ? options : []));
  $("#notices-since").disabled = !n;
}

const CHANGE_WORDS = { moved: "moved", room: "re-roomed", mode: "another mode", trainers: "re-staffed",
  added: "added", dropped: "dropped" };

async function loadDiff() {
  const root = $("#diff-result");
  const versions = state.versions || [];
  if (versions.length < 2) {
    state.diffShown = null;
    root.replaceChildren(h("p", { class: "sub" }, versions.length
      ? "One version so far: publish another to see what it changes."
      : "Nothing published yet."));
    return;
  }
  const from = Number($("#diff-from").value), to = Number($("#diff-to").value);
  const key = `${from}/${to}`;
  state.diffShown = key;
  if (from === to) {
    root.replaceChildren(h("p", { class: "ok", id: "diff-none" }, `Version ${from} and itself: no change.`));
    return;
  }
  if (!state.diffs.has(key)) {
    state.diffs.set(key, api(`/published/${from}/diff/${to}`)
      .catch((err) => { state.diffs.delete(key); throw err; }));  // asked again, it is read again
  }
  root.replaceChildren(h("p", { class: "message" }, "Comparing…"));
  try {
    const found = await state.diffs.get(key);
    if (state.diffShown === key) root.replaceChildren(...diffResult(from, to, found.changes));
  } catch (err) {
    if (state.diffShown === key) root.replaceChildren(h("p", { class: "bad" }, err.message));
  }
}

function diffResult(from, to, changes) {
  if (!changes.length) {
    return [h("p", { class: "ok", id: "diff-none" }, `No change from version ${from} to version ${to}: the same `
      + "editions on the same days, in the same rooms and modes, with the same trainers.")];
  }
  const counts = Object.keys(CHANGE_WORDS).map((k) => [k, changes.filter((c) => c.kinds.includes(k)).length])
    .filter(([, n]) => n);
  const span = (a, b) => (a ? dateSpan(a, b) : "–");
  const cell = (changed, old, now) => changed
    ? h("td", { class: "now" }, h("span", { class: "was" }, old), " → ", h("strong", {}, now))
    : h("td", { class: "sub" }, now);
  const rows = changes.map((c) => {
    const is = (kind) => c.kinds.includes(kind);
    const added = is("added"), dropped = is("dropped"), whole = added || dropped;
    const room = (r, there) => (there ? r || "online" : "–");
    const mode = (m, there) => (there && m ? words(m) : "–");
    const team = [...c.trainers_off.map((t) => h("span", { class: "off" }, `−${t}`)),
      ...c.trainers_on.map((t) => h("span", { class: "on" }, `+${t}`))];
    return h("tr", { dataset: { edition: c.edition } },
      h("th", { scope: "row", class: "nowrap" }, c.edition),
      h("td", {}, c.kinds.map((k) => h("span", { class: `pill change-${k}` }, CHANGE_WORDS[k] || k))),
      cell(whole || is("moved"), span(c.old_start, c.old_end), span(c.new_start, c.new_end)),
      cell(whole || is("room"), room(c.old_room, !added), room(c.new_room, !dropped)),
      cell(whole || is("mode"), mode(c.old_mode, !added), mode(c.new_mode, !dropped)),
      team.length ? h("td", { class: "team" }, team) : h("td", { class: "sub" }, "–"),
      h("td", { class: "reason" }, c.why.length ? h("ul", { class: "plain" }, c.why.map((w) => h("li", {}, w))) : "–"));
  });
  return [
    h("h3", { id: "diff-title" }, `${plural(changes.length, "edition")} changed from version ${from} to version ${to}: `
      + counts.map(([k, n]) => `${n} ${CHANGE_WORDS[k]}`).join(", ")),
    h("div", { class: "table-wrap" }, h("table", { class: "list changes-table", id: "diff-table" },
      h("caption", { class: "sr-only" }, `Editions changed from version ${from} to version ${to}`),
      h("thead", {}, h("tr", {}, ["Edition", "What changed", "Dates", "Room", "Mode", "Trainers", "Why"]
        .map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows))),
    h("p", { class: "sub" }, "Each change shown as before → after; “Why” names the rule the earlier calendar breaks "
      + "under the later problem, else says that no rule forced it."),
  ];
}

const FEED_KINDS = [["centre", "The centre"], ["trainer", "Trainers"], ["room", "Rooms"]];

function renderFeeds() {
  const feeds = state.feeds;
  const root = $("#feeds");
  if (!feeds.length) {
    $("#feeds-count").textContent = "";
    root.replaceChildren(h("p", { class: "sub" }, "No feed yet: each trainer, each room and the centre get one "
      + "when a first version is published."));
    return;
  }
  const text = $("#feeds-filter").value.trim().toLowerCase();
  const match = (f) => !text || f.name.toLowerCase().includes(text) || (f.subject || "").toLowerCase().includes(text);
  const shown = feeds.filter(match);
  $("#feeds-count").textContent = shown.length === feeds.length ? `${plural(feeds.length, "feed")}.`
    : `Showing ${shown.length} of ${plural(feeds.length, "feed")}.`;
  const bySubject = (a, b) => (a.subject || "").localeCompare(b.subject || "", "en", { numeric: true });
  const groups = FEED_KINDS.map(([kind, title]) => [kind, title, shown.filter((f) => f.kind === kind).sort(bySubject)])
    .filter(([, , list]) => list.length);
  if (!groups.length) {
    root.replaceChildren(h("p", { class: "sub" }, "No feed matches."));
    return;
  }
  root.replaceChildren(h("div", { class: "table-wrap feeds-wrap" }, h("table", { class: "list feeds-table", id: "feeds-table" },
    h("caption", { class: "sr-only" }, "Subscription feeds"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Name"), h("th", { scope: "col", class: "num" }, "Events"),
      h("th", { scope: "col" }, "Address to subscribe to"), h("th", { scope: "col" }, h("span", { class: "sr-only" }, "New address")))),
    groups.map(([kind, title, list]) => h("tbody", { dataset: { kind } },
      h("tr", { class: "group" }, h("th", { scope: "colgroup", colspan: 4 }, `${title} (${list.length})`)),
      list.map(feedRow))))));
}

function feedRow(f) {
  const input = h("input", { type: "text", readonly: true, class: "feed-url", value: location.origin + f.url,
    "aria-label": `Feed address of ${f.name}`, onfocus: (event) => event.target.select() });
  const said = state.feedNote && state.feedNote.id === f.id ? state.feedNote.text : "";
  const note = h("span", { class: "feed-note", "aria-live": "polite" }, said);
  return h("tr", { dataset: { feed: f.id } },
    h("th", { scope: "row" }, f.kind === "trainer" ? [h("strong", {}, f.subject), ` ${f.name}`] : h("strong", {}, f.name),
      f.rotated_at ? h("div", { class: "sub" }, `new address since ${when(f.rotated_at)}`) : null),
    h("td", { class: "num" }, f.events),
    h("td", { class: "url" }, h("div", { class: "copy" }, input,
      h("button", { type: "button", class: "copy-button", "aria-label": `Copy the address of ${f.name}`,
        onclick: () => copyFeed(input, note) }, "Copy"), note)),
    h("td", {}, h("button", { type: "button", class: "danger rotate", "aria-label": `Give ${f.name}'s feed a new address`,
      onclick: () => rotateFeed(f, note) }, "Rotate")));
}

/** The address to the clipboard where the browser lets the page write it; else selected, to copy by hand. */
async function copyFeed(input, note) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(input.value);
      note.textContent = "Copied";
      return;
    } catch (err) {
      // refused (no permission): select it instead
    }
  }
  input.focus();
  input.select();
  note.textContent = "Selected: press Ctrl+C to copy";
}

async function rotateFeed(f, note) {
  const sure = confirm(`Give the feed of ${f.name} a new address?\n\nThe old address stops working at once: `
    + "whoever subscribed with it must subscribe again with the new one.");
  if (!sure) return;
  try {
    const fresh = await api(`/published/feeds/${encodeURIComponent(f.id)}/rotate`, { method: "POST" });
    state.feeds = state.feeds.map((x) => (x.id === fresh.id ? fresh : x));
    state.feedNote = { id: fresh.id, text: "New address: the old one no longer works" };
    renderFeeds();
  } catch (err) {
    note.textContent = `✗ ${err.message}`;
  }
}

async function loadNotices() {
  const versions = state.versions || [];
  const root = $("#notices");
  if (!versions.length) {
    state.notices = null;
    $("#notices-send").disabled = true;
    $("#notices-sent").replaceChildren();
    $("#notices-status").textContent = "No notice yet: they come with a first version.";
    root.replaceChildren();
    return;
  }
  const n = Number($("#notices-version").value), since = Number($("#notices-since").value);
  const key = `${n}/${since}`;
  if (state.notices && state.notices.key === key) {
    if (state.notices.list) renderNotices();
    return;
  }
  const entry = { key, n, since, list: null, sent: null };
  state.notices = entry;
  $("#notices-send").disabled = true;
  $("#notices-sent").replaceChildren();
  $("#notices-status").textContent = "Writing the notices…";
  root.replaceChildren();
  try {
    const list = await api(`/published/${n}/notices?since=${since}`);
    if (state.notices !== entry) return;
    entry.list = list;
    renderNotices();
  } catch (err) {
    if (state.notices !== entry) return;
    state.notices = null;  // asked again, they are read again
    $("#notices-status").textContent = "";
    root.replaceChildren(h("p", { class: "bad" }, `The notices cannot be read: ${err.message}`));
  }
}

function renderNotices() {
  const entry = state.notices;
  const list = entry.list;
  const text = $("#notices-filter").value.trim().toLowerCase();
  const shown = list.filter((x) => !text || x.name.toLowerCase().includes(text)
    || x.subject.toLowerCase().includes(text) || (x.email || "").toLowerCase().includes(text));
  const trainers = list.filter((x) => x.kind === "trainer").length;
  const addressed = list.filter((x) => x.email).length;
  const against = entry.since ? `compared with version ${entry.since}` : "with everyone's courses";
  $("#notices-status").textContent = list.length
    ? `${plural(list.length, "notice")} for version ${entry.n} ${against}: ${trainers} to trainers, `
      + `${list.length - trainers} to rooms; ${addressed} with an e-mail address.`
      + (shown.length < list.length ? ` Showing ${shown.length}.` : "")
    : `No notice: version ${entry.n} changes nobody's courses ${against}.`;
  $("#notices-send").disabled = !list.length || entry.sent === "sending";
  $("#notices").replaceChildren(...shown.map((x) => noticeCard(entry, x)));
  renderSent(entry);
}

function noticeCard(entry, x) {
  const file = `${x.id.replace(/[^A-Za-z0-9._-]/g, "_")}.eml`;  // as the service names it
  return h("article", { class: "notice", dataset: { notice: x.id } },
    h("header", {},
      h("h3", {}, x.kind === "trainer" ? [h("strong", {}, x.subject), ` ${x.name}`] : `${x.name} (${x.subject})`),
      h("span", { class: "pill" }, x.kind)),
    h("p", { class: "to" }, h("span", { class: "sub" }, "To: "), x.recipient,
      x.email ? [" ", h("span", { class: "address" }, `<${x.email}>`)] : [" ", h("span", { class: "pill fail" }, "no address")]),
    h("p", { class: "subject" }, h("span", { class: "sub" }, "Subject: "), h("strong", {}, x.email_subject)),
    h("pre", { class: "notice-text" }, x.text),
    h("p", { class: "eml" }, download(`/published/${entry.n}/notices/${encodeURIComponent(x.id)}.eml?since=${entry.since}`,
      file, `Download ${file}`)));
}

async function sendNotices() {
  const entry = state.notices;
  if (!entry || !entry.list) return;
  const addressed = entry.list.filter((x) => x.email).length;
  const left = entry.list.length - addressed;
  if (!confirm(`Send ${plural(addressed, "notice")} of version ${entry.n} by e-mail now?`
    + (left ? `\n\n${plural(left, "notice")} without an address will be skipped.` : ""))) return;
  entry.sent = "sending";
  renderNotices();
  try {
    entry.sent = { result: await api(`/published/${entry.n}/notices/send?since=${entry.since}`, { method: "POST" }) };
  } catch (err) {
    entry.sent = { error: err };
  }
  if (state.notices === entry) renderNotices();
}

function renderSent(entry) {
  const out = $("#notices-sent");
  const sent = entry.sent;
  if (!sent) { out.replaceChildren(); return; }
  if (sent === "sending") { out.replaceChildren(h("p", { class: "message" }, "Sending…")); return; }
  if (sent.error) {
    // Sending switched off is the service's setting, not a failure: said plainly.
    out.replaceChildren(sent.error.status === 409
      ? h("p", { class: "message", id: "notices-off" }, `Nothing sent: ${sent.error.message}.`)
      : h("p", { class: "bad" }, `✗ Not sent: ${sent.error.message}`));
    return;
  }
  const named = new Map(entry.list.map((x) => [x.id, x]));
  const who = (id) => (named.has(id) ? `${named.get(id).name} (${id})` : id);
  const { sent: ids, skipped } = sent.result;
  out.replaceChildren(h("div", { class: "sent", id: "notices-result" },
    h("p", { class: ids.length ? "ok" : "message" }, ids.length ? `✓ Sent ${plural(ids.length, "notice")}: ` : "Nothing sent.",
      ids.map(who).join(", ")),
    skipped.length ? [h("p", {}, `Skipped ${plural(skipped.length, "notice")}:`),
      h("ul", { class: "issues" }, skipped.map((s) => h("li", {}, h("strong", {}, who(s.id)), `: ${s.reason}`)))] : []));
}

// ---------------------------------------------------------------------------- robustness

const ROBUSTNESS_FIELDS = { samples: "#robustness-samples", absence_rate: "#robustness-rate",
  week_rate: "#robustness-week", seed: "#robustness-seed", time_limit_s: "#robustness-limit" };
const CALENDARS_LISTED = 20;

/** The calendars a robustness run may re-plan: published versions (the latest chosen at first), then
 *  finished solves of any problem, newest first. The choice made stays while it is listed. */
async function loadRobustnessCalendars() {
  const select = $("#robustness-calendar");
  try {
    const [versions, jobs] = await Promise.all([
      api(`/published?limit=${CALENDARS_LISTED}`), api(`/jobs?limit=${CALENDARS_LISTED}`)]);
    const names = new Map(state.problems.map((p) => [p.id, p.name]));
    const solved = jobs.filter((j) => j.has_schedule);
    const chosen = select.value;
    const groups = [];
    if (versions.length) {
      groups.push(h("optgroup", { label: "Published versions" }, versions.map((v) =>
        h("option", { value: `published:${v.number}` }, `Version ${versionLabel(v)}`))));
    }
    if (solved.length) {
      groups.push(h("optgroup", { label: "Solves" }, solved.map((j) => {
        const sum = j.summary || {};
        const editions = sum.editions_total ? ` · ${sum.editions_scheduled} / ${sum.editions_total} editions` : "";
        return h("option", { value: `job:${j.id}` },
          `${names.get(j.problem_id) || j.problem_id} · ${F_STAMP.format(new Date(j.created_at))}${editions}`);
      })));
    }
    select.replaceChildren(...groups);
    if (!groups.length) {
      select.append(h("option", { value: "" }, "No calendar yet: solve a problem first"));
    } else if ($$("option", select).some((o) => o.value === chosen)) {
      select.value = chosen;
    } else if (!versions.length && state.job && solved.some((j) => j.id === state.job.id)) {
      select.value = `job:${state.job.id}`;  // nothing published: the calendar shown
    }
    $("#robustness-run").disabled = !groups.length || Boolean(state.robustness && runActive(state.robustness));
  } catch (err) {
    showAlert(err);
  }
}

async function runRobustness(event) {
  event.preventDefault();
  const [kind, id] = $("#robustness-calendar").value.split(":");
  if (!id) return;
  const body = {
    samples: Number($("#robustness-samples").value),
    absence_rate: Number($("#robustness-rate").value) / 100,
    week_rate: Number($("#robustness-week").value) / 100,
    seed: Number($("#robustness-seed").value),
    time_limit_s: Number($("#robustness-limit").value),
  };
  $("#robustness-errors").replaceChildren();
  for (const selector of Object.values(ROBUSTNESS_FIELDS)) $(selector).removeAttribute("aria-invalid");
  $("#robustness-run").disabled = true;
  const path = kind === "published" ? `/published/${encodeURIComponent(id)}/robustness`
    : `/jobs/${encodeURIComponent(id)}/robustness`;
  try {
    followRobustness(await api(path, { method: "POST", json: body }));
  } catch (err) {
    $("#robustness-run").disabled = false;
    const errors = err.errors || [];
    for (const field of err.fields || []) {
      if (ROBUSTNESS_FIELDS[field]) $(ROBUSTNESS_FIELDS[field]).setAttribute("aria-invalid", "true");
    }
    $("#robustness-errors").replaceChildren(
      h("p", { class: "bad" }, err.status === 429 ? `${err.message} (the solver is busy)` : err.message),
      ...(errors.length ? [h("ul", { class: "error-list" }, errors.map((e) => h("li", {}, e)))] : []));
  }
}

/** Show a run and follow its event stream (progress, then its end); polled when the stream fails. */
function followRobustness(run) {
  if (state.robustnessStream) state.robustnessStream.abort();
  clearTimeout(state.robustnessTimer);
  state.robustness = run;
  showRobustness(run);
  if (!runActive(run)) return;
  const controller = new AbortController();
  state.robustnessStream = controller;
  const current = () => state.robustness && state.robustness.id === run.id && !controller.signal.aborted;
  const update = (changes) => { state.robustness = { ...state.robustness, ...changes }; showRobustness(state.robustness); };
  readStream(run.links.events, controller, (event, data) => {
    if (!current()) return;
    if (event === "state") update({ state: data.state });
    else if (event === "progress") update({ state: "running", progress: data });
    else if (event === "end") { state.robustness = data; showRobustness(data); }
    else if (event === "shutdown") $("#robustness-status").textContent = data.detail;
  }).then(() => {
    if (current() && runActive(state.robustness)) pollRobustness(run.id);  // ended without an "end"
  }).catch(() => { if (current()) pollRobustness(run.id); });
}

function pollRobustness(id) {
  clearTimeout(state.robustnessTimer);
  state.robustnessTimer = setTimeout(async () => {
    try {
      const run = await api(`/robustness/runs/${encodeURIComponent(id)}`);
      if (!state.robustness || state.robustness.id !== id) return;
      state.robustness = run;
      showRobustness(run);
      if (runActive(run)) pollRobustness(id);
    } catch (err) {
      showAlert(err);
      $("#robustness-run").disabled = false;
    }
  }, 1000);
}

async function stopRobustness() {
  if (!state.robustness) return;
  $("#robustness-stop").disabled = true;
  $("#robustness-status").textContent = "Stopping… the futures re-planned so far are kept.";
  try {
    const run = await api(`/robustness/runs/${encodeURIComponent(state.robustness.id)}`, { method: "DELETE" });
    if (state.robustnessStream) state.robustnessStream.abort();
    state.robustness = run;
    showRobustness(run);
  } catch (err) {
    showAlert(err);
  }
}

/** "about 3 min" / "about 40 s": an estimate of the time left, as a planner reads it. */
function about(seconds) {
  if (seconds === null || seconds === undefined) return null;
  return seconds >= 90 ? `about ${Math.round(seconds / 60)} min` : `about ${Math.max(1, Math.round(seconds))} s`;
}

function showRobustness(run) {
  const running = runActive(run);
  const p = run.progress;
  const total = p ? p.total : run.samples, done = p ? p.done : 0;
  $("#robustness-run").disabled = running;
  $("#robustness-stop").disabled = !running;
  const bar = $("#robustness-progress");
  bar.hidden = !running;
  bar.max = total;
  bar.value = done;
  bar.setAttribute("aria-valuetext", `${done} of ${plural(total, "future")} re-planned`);
  const left = p ? about(p.estimate_s) : null;
  const report = run.report;
  $("#robustness-status").textContent = run.state === "queued"
    ? "Waiting for a free solver (other solves are running)…"
    : running && !p ? "Starting the processes that re-plan the futures…"
    : running ? `${done} of ${plural(total, "future")} re-planned · ${secs(p.elapsed_s)} elapsed`
      + (left ? ` · ${left} left` : "") + "…"
    : run.message ? (run.message.startsWith(run.state) ? run.message : `${run.state}: ${run.message}`)
      + (/[.!?]$/.test(run.message) ? "" : ".")
    : `${run.state}` + (report ? `: ${report.samples} of ${plural(report.requested ?? report.samples, "future")} `
      + `re-planned in ${secs(report.runtime_s)}` : "") + ".";
  $("#robustness-result").replaceChildren(...robustnessResult(run));
}

const spreadText = (x) => `${num(x.mean, 2)} / ${num(x.p95, 0)} / ${x.most}`;

function robustnessResult(run) {
  const r = run.report;
  if (!r || !r.samples) return [];
  const a = r.without_backups, b = r.with_backups;
  const source = run.version !== null ? `published version ${run.version}` : `the calendar of a solve`;
  const row = (label, without, withBackups) => h("tr", {}, h("th", { scope: "row" }, label),
    h("td", { class: "num" }, without), h("td", { class: "num" }, withBackups));
  const table = h("table", { class: "list robustness-table", id: "robustness-table" },
    h("caption", {}, "Without backups and with them"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, h("span", { class: "sr-only" }, "Figure")),
      h("th", { scope: "col", class: "num" }, "Without backups"), h("th", { scope: "col", class: "num" }, "With backups"))),
    h("tbody", {},
      row("Futures with every edition delivered", pct(a.all_delivered), pct(b.all_delivered)),
      row("Futures with the calendar untouched", pct(a.untouched), pct(b.untouched)),
      row("Editions changed per future (mean / p95 / most)", spreadText(a.changed), spreadText(b.changed)),
      row("Editions moved to other dates", spreadText(a.moved), spreadText(b.moved)),
      row("Editions dropped", spreadText(a.dropped), spreadText(b.dropped)),
      row("Editions broken by absences", spreadText(r.broken), "–"),
      row("Editions saved by their backups", "–", spreadText(r.saved))));
  const faults = (caption, what, list, none) => h("table", { class: "list faults" },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, what), h("th", { scope: "col", class: "num" }, "Futures"),
      h("th", { scope: "col", class: "num" }, "Share"))),
    h("tbody", {}, list.length ? list.map((f) => h("tr", {}, h("th", { scope: "row" }, f.id),
      h("td", { class: "num" }, f.futures), h("td", { class: "num" }, pct(f.futures / r.samples, 0))))
      : h("tr", {}, h("td", { colspan: 3, class: "sub" }, none))));
  const stopped = r.requested !== null && r.samples < r.requested;
  return [h("div", { class: "card" },
    h("h2", {}, "What the absences do to the calendar"),
    h("p", {}, `${plural(r.samples, "sampled future")} of ${source} (“${run.problem}”, ${plural(r.editions, "edition")}): `
      + `each person away on a course day with probability ${pct(r.rates.day)} and for a whole week with `
      + `${pct(r.rates.week)}, seed ${r.seed}.`),
    stopped ? h("p", { class: "changed" }, `Stopped: ${r.samples} of ${r.requested} futures re-planned; the figures `
      + "cover those.") : null,
    h("p", { class: "hint" }, "An edition is broken when someone on its team, or giving one of its guest sessions, "
      + "is away on one of its days. Backups step in where they can; the rest is re-planned. An edition changed is "
      + "moved, re-staffed, re-roomed or in another mode; p95: 19 futures in 20 change no more."),
    h("div", { class: "table-wrap" }, table),
    h("figure", { class: "chart-box robustness-box" }, robustnessChart(run.histogram),
      h("figcaption", {}, "Futures by editions changed in them: ", h("span", { class: "key without" }), " without backups",
        h("span", { class: "key with" }), " with backups")),
    h("div", { class: "cols faults-cols" },
      faults("Editions most often broken", "Edition", r.editions_at_fault, "No edition was broken."),
      faults("People whose absences break editions most often", "Person", r.people_at_fault,
        "No one's absence broke an edition.")),
    run.links.workbook ? h("p", {}, download(run.links.workbook, `rtcm-robustness-${run.id.slice(0, 8)}.xlsx`,
      "Workbook of the report (.xlsx)"), h("span", { class: "sub" }, " the tables, the histogram and every future"))
      : null)];
}

/** Futures by editions changed in them, without backups and with them: an SVG bar chart. */
function robustnessChart(histogram) {
  const W = 640, H = 220, L = 44, R = 12, T = 12, B = 40;
  const top = Math.max(1, ...histogram.flatMap((b) => [b.without_backups, b.with_backups]));
  const slot = (W - L - R) / Math.max(1, histogram.length);
  const barW = Math.max(2, Math.min(28, slot * 0.38));
  const y = (v) => T + (H - T - B) * (1 - v / top);
  const most = histogram.length ? histogram[histogram.length - 1].editions : 0;
  const svg = s("svg", { id: "robustness-chart", viewBox: `0 0 ${W} ${H}`, role: "img",
    "aria-label": `Futures by editions changed, from 0 to ${most}: `
      + histogram.map((b) => `${b.editions}: ${b.without_backups} without backups, ${b.with_backups} with`).join("; ") });
  const label = (px, py, text, anchor, cls = "axis") => {
    const el = s("text", { x: px, y: py, "text-anchor": anchor, class: cls });
    el.textContent = text;
    svg.append(el);
  };
  svg.append(s("rect", { x: L, y: T, width: W - L - R, height: H - T - B, class: "plot" }));
  label(L - 6, y(top) + 4, num(top, 0), "end");
  label(L - 6, y(0) + 4, "0", "end");
  const every = Math.ceil(histogram.length / 16);  // at most 16 labels under the bars
  histogram.forEach((b, i) => {
    const centre = L + slot * (i + 0.5);
    for (const [key, cls, dx] of [["without_backups", "without", -barW], ["with_backups", "with", 0]]) {
      const bar = s("rect", { x: centre + dx, y: y(b[key]), width: barW, height: y(0) - y(b[key]), class: `column ${cls}` });
      const title = s("title", {});
      title.textContent = `${plural(b.editions, "edition")} changed: ${plural(b[key], "future")} `
        + (cls === "with" ? "with backups" : "without backups");
      bar.append(title);
      svg.append(bar);
    }
    if (i % every === 0) label(centre, H - B + 16, String(b.editions), "middle");
  });
  label((L + W - R) / 2, H - 6, "editions changed in a future", "middle", "axis title");
  return svg;
}

// ---------------------------------------------------------------------------- start

async function restore() {
  // The calendar shown last in this browser, if the service still has it.
  const id = localStorage.getItem("rtcm-job");
  const recent = await api("/jobs?limit=50");
  const job = recent.find((j) => j.id === id)
    || recent.find((j) => ["queued", "running"].includes(j.state) && j.problem_id === state.problemId);
  if (!job) return;
  state.problemId = job.problem_id;
  renderProblems();
  if (job.has_schedule) await openJob(job, false);
  if (["queued", "running"].includes(job.state)) follow(job);
}

function bind() {
  $("#upload-form").addEventListener("submit", upload);
  $("#upload-file").addEventListener("change", () => $("#upload-result").replaceChildren());
  $("#solve-form").addEventListener("submit", startSolve);
  $("#stop-button").addEventListener("click", stopSolve);
  $("#cal-year").addEventListener("click", () => { state.layout = "year"; renderCalendar(); });
  $("#cal-month").addEventListener("click", () => { state.layout = "month"; renderCalendar(); });
  $("#month-prev").addEventListener("click", () => shiftMonth(-1));
  $("#month-next").addEventListener("click", () => shiftMonth(1));
  $("#month-select").addEventListener("change", (event) => { state.month = event.target.value; renderCalendar(); });
  for (const id of ["#f-module", "#f-trainer", "#f-room", "#f-org", "#sort"]) $(id).addEventListener("change", renderCalendar);
  $("#f-text").addEventListener("input", renderCalendar);
  $("#f-clear").addEventListener("click", () => {
    for (const id of ["#f-module", "#f-trainer", "#f-room", "#f-org", "#f-text"]) $(id).value = "";
    renderCalendar();
  });
  $("#scenario-form").addEventListener("submit", runScenario);
  $("#scenario-stop").addEventListener("click", stopRun);
  $("#frontier-form").addEventListener("submit", runFrontier);
  $("#frontier-stop").addEventListener("click", stopFrontier);
  $("#robustness-form").addEventListener("submit", runRobustness);
  $("#robustness-stop").addEventListener("click", stopRobustness);
  $("#rollout-form").addEventListener("submit", (event) => event.preventDefault());
  $("#rollout-years").addEventListener("change", (event) => {
    state.rolloutYears = Number(event.target.value);
    loadRollout();
  });
  $("#publish-form").addEventListener("submit", publishCalendar);
  for (const id of ["#diff-from", "#diff-to"]) $(id).addEventListener("change", loadDiff);
  $("#diff-form").addEventListener("submit", (event) => event.preventDefault());
  $("#feeds-filter").addEventListener("input", renderFeeds);
  $("#notices-version").addEventListener("change", () => { fillSince(true); loadNotices(); });
  $("#notices-since").addEventListener("change", loadNotices);
  $("#notices-filter").addEventListener("input", () => { if (state.notices && state.notices.list) renderNotices(); });
  $("#notices-form").addEventListener("submit", (event) => event.preventDefault());
  $("#notices-send").addEventListener("click", sendNotices);
  $("#add-away").addEventListener("click", () => addChange("trainer_unavailable"));
  $("#add-closed").addEventListener("click", () => addChange("room_closed"));
  $("#add-editions").addEventListener("click", () => addChange("editions_added"));
  $("#edition-dialog").addEventListener("click", (event) => {
    if (event.target === event.currentTarget) event.currentTarget.close();  // a click on the backdrop
  });
}

async function main() {
  setupTabs();
  bind();
  drawChart();
  try {
    await loadProblems();
    await Promise.all([loadJobs(), loadScenarios()]);
    await restore();
  } catch (err) {
    showAlert(err);
  }
  document.body.dataset.ready = "true";
}

main();
