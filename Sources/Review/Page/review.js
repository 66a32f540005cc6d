"use strict";
// The coder's review page. Transcript text is only ever inserted with textContent / text nodes.
const token = new URLSearchParams(location.search).get("token") || "";
let state = null;
let active = 0;
// The state lists every suggestion with only what the filters, the code tree and the progress
// need (id, code, document, participant, attributes, this coder's status); a card's whole
// suggestion (turn, evidence, every coder's decisions) is asked for when the card is shown and
// kept in `full`. The whole suggestions of 100 MB of transcripts were 160 MB of JSON.
let visible = [];
const full = new Map();
let codeFilter = "";
// Cards are rendered a page at a time as the list is scrolled: a study of 100 MB of
// transcripts has 120,000 suggestions, far more than a browser lays out quickly.
const PAGE = 200;
let shown = PAGE;
let rendered = 0;
// How many cards the draws asked for so far will have shown.
let requested = 0;
let heading = null;
let positions = new Map();
let paths = new Map();
// Counts render()s: cards fetched for an earlier list are not drawn into a later one.
let generation = 0;
let drawing = Promise.resolve();

const $ = (id) => document.getElementById(id);
const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };

async function api(path, options = {}) {
  const headers = Object.assign({"X-Review-Token": token}, options.headers || {});
  const response = await fetch(path, Object.assign({}, options, {headers, cache: "no-store"}));
  return response;
}

async function load() {
  const response = await api("/api/state");
  if (!response.ok) { banner(await response.text()); return; }
  state = await response.json();
  full.clear();
  positions = new Map(state.listing.suggestions.map((s, i) => [s.id, i]));
  paths = new Map(state.codes.map((c) => [c.name, c.path]));
  $("study").textContent = state.study;
  $("coder").textContent = "coder: " + state.coder + (state.blind ? " (blind)" : "");
  // Blind, the page has no other coder's decisions: there is no conflict to filter by.
  if (state.blind) for (const option of [...$("filter-status").options]) if (option.value === "conflict") option.remove();
  fillFilters();
  render();
}

const listed = () => state.listing.suggestions;
// The participant filter's value for suggestions without a participant (no id is empty).
const NOBODY = "\u0000";
const attributesOf = (s) => state.listing.attributeSets[s.attributes] || {};
const codePath = (s) => paths.get(s.code) || [s.code];

function fillFilters() {
  const participants = [...new Set(listed().map((s) => s.participantID).filter(Boolean))].sort((a, b) => a.localeCompare(b, undefined, {numeric: true}));
  const pSelect = $("filter-participant");
  const keepP = pSelect.value;
  // Turns of speakers the study could not tie to a participant (their notes say why) are listed too.
  const nobody = listed().some((s) => !s.participantID) ? [new Option("(no participant)", NOBODY)] : [];
  pSelect.replaceChildren(new Option("all", ""), ...participants.map((p) => new Option(p, p)), ...nobody);
  pSelect.value = keepP;
  const pairs = new Set();
  for (const set of state.listing.attributeSets) for (const [k, v] of Object.entries(set)) if (k !== "transcript") pairs.add(k + "=" + v);
  const aSelect = $("filter-attribute");
  const keepA = aSelect.value;
  aSelect.replaceChildren(new Option("all", ""), ...[...pairs].sort().map((p) => new Option(p, p)));
  aSelect.value = keepA;
  // The codes suggested somewhere, in the codebook's order: the turns each is in meet other codes there.
  const suggested = new Set(listed().map((s) => s.code));
  const wSelect = $("filter-with");
  const keepW = wSelect.value;
  wSelect.replaceChildren(new Option("any code", ""), ...state.codes.filter((c) => suggested.has(c.name)).map((c) => new Option(c.name, c.name)));
  wSelect.value = suggested.has(keepW) ? keepW : "";
}

const turnOf = (s) => s.documentID + "\u0000" + s.turn;
// The turns where the "In a turn with" code is suggested and not rejected by this coder (set by render()).
let turnsWith = null;

function passes(s) {
  const status = $("filter-status").value, participant = $("filter-participant").value, attribute = $("filter-attribute").value;
  if (codeFilter && !codePath(s).includes(codeFilter)) return false;
  if (status === "conflict" ? !s.conflict : status && s.status !== status) return false;
  if (participant && (s.participantID || NOBODY) !== participant) return false;
  if (attribute) { const i = attribute.indexOf("="); if (attributesOf(s)[attribute.slice(0, i)] !== attribute.slice(i + 1)) return false; }
  if (turnsWith && (s.code === $("filter-with").value || !turnsWith.has(turnOf(s)))) return false;
  return true;
}

function render() {
  const byCode = $("view").value === "code";
  const order = new Map(state.codes.map((c, i) => [c.name, i]));
  const activeID = visible[active] ? visible[active].id : null;
  const withCode = $("filter-with").value;
  turnsWith = withCode ? new Set(listed().filter((s) => s.code === withCode && s.status !== "rejected").map(turnOf)) : null;
  visible = listed().filter(passes);
  if (byCode) visible.sort((a, b) => (order.get(a.code) - order.get(b.code)) || 0);
  $("list").replaceChildren();
  generation += 1;
  rendered = 0;
  requested = 0;
  heading = null;
  if (visible.length === 0) $("list").append(el("p", null, "No suggestions match these filters."));
  active = Math.min(active, Math.max(0, visible.length - 1));
  if (activeID) { const i = visible.findIndex((s) => s.id === activeID); if (i >= 0) active = i; }
  showUpTo(Math.max(shown, active + 1));
  renderTree();
  renderProgress();
  highlightActive(false);
}

// Appends cards up to `count` of the visible ones, and the "more" line while some are left;
// resolves once they are drawn. Calls are drawn one after another.
const more = el("p", "more");
new IntersectionObserver((entries) => { if (entries.some((e) => e.isIntersecting)) showUpTo(rendered + PAGE); }).observe(more);

function showUpTo(count) {
  if (count <= requested) return drawing;
  requested = count;
  drawing = drawing.then(() => draw(count)).catch((error) => banner("Could not show the suggestions: " + error.message, true));
  return drawing;
}

async function draw(count) {
  const start = generation;
  const end = Math.min(count, visible.length);
  if (rendered >= end) return;
  const missing = visible.slice(rendered, end).map((s) => s.id).filter((id) => !full.has(id));
  // A page of ids at a time keeps each request's address short.
  for (let from = 0; from < missing.length; from += PAGE) {
    if (!(await fetchSuggestions(missing.slice(from, from + PAGE)))) return;
  }
  if (start !== generation) return;
  more.remove();
  const byCode = $("view").value === "code";
  const cards = document.createDocumentFragment();
  for (; rendered < end; rendered += 1) {
    const s = full.get(visible[rendered].id);
    if (!s) continue;
    const group = byCode ? codePath(s).join(" › ") : s.documentID;
    if (group !== heading) { cards.append(el("h2", null, group)); heading = group; }
    cards.append(card(s, rendered));
  }
  $("list").append(cards);
  shown = Math.max(shown, rendered);
  if (rendered < visible.length) {
    more.textContent = "Showing " + rendered + " of " + visible.length + " suggestions; scroll for more.";
    $("list").append(more);
  }
}

// Whole suggestions into `full`; false (and the state loaded again) when a run has replaced
// the suggestions since the page loaded them.
async function fetchSuggestions(ids) {
  const response = await api("/api/suggestions?ids=" + ids.map(encodeURIComponent).join(","));
  if (!response.ok) { banner(await response.text()); return false; }
  const page = await response.json();
  if (page.run !== state.run) { await load(); return false; }
  for (const s of page.suggestions) full.set(s.id, s);
  return true;
}

function mineOf(s) { return s.decisions.find((d) => d.coder === state.coder); }
function statusOf(s) { const mine = mineOf(s); return mine ? mine.status : "pending"; }

function card(s, index) {
  const mine = mineOf(s);
  const status = statusOf(s);
  const article = el("article", "card status-" + status);
  article.dataset.id = s.id;
  article.tabIndex = -1;
  article.addEventListener("click", () => { active = index; highlightActive(false); });
  const meta = el("div", "meta");
  meta.append(el("span", "badge " + status, status), el("span", "code", s.code));
  const who = s.speaker + (s.participantID && s.participantID !== s.speaker ? " (" + s.participantID + ")" : "");
  meta.append(el("span", null, s.documentID + " · turn " + s.segmentIndex + " · " + who));
  const attributes = Object.entries(s.attributes).filter(([k]) => k !== "transcript").map(([k, v]) => k + ": " + v).join(" · ");
  if (attributes) meta.append(el("span", null, attributes));
  if (mine && mine.code) meta.append(el("span", null, "→ " + mine.code));
  const others = s.decisions.filter((d) => d.coder !== state.coder).map((d) => d.coder + ": " + d.status + (d.code ? " → " + d.code : ""));
  if (others.length) meta.append(el("span", null, "others: " + others.join(", ")));
  article.append(meta);
  article.append(turnText(s));
  if (mine && mine.note) article.append(el("p", "note", "Note: " + mine.note));
  // The coder's own codings of text in this turn (made with "Code selection"), each removable.
  for (const m of manualIn(s)) {
    const line = el("p", "manual-coding");
    line.dataset.manual = m.id;
    line.append(el("span", "code", m.code), document.createTextNode(" by hand: “" + m.text + "” "));
    const remove = el("button", null, "Remove");
    remove.type = "button";
    remove.addEventListener("click", (e) => { e.stopPropagation(); send([{action: "removeManual", id: m.id}]); });
    line.append(remove);
    article.append(line);
  }
  const actions = el("div", "actions");
  const button = (label, key, handler) => { const b = el("button", null, label); b.type = "button"; b.title = "key: " + key; b.addEventListener("click", (e) => { e.stopPropagation(); active = index; highlightActive(false); handler(); }); actions.append(b); };
  button("Accept (a)", "a", () => decide("accept"));
  button("Reject (r)", "r", () => decide("reject"));
  button("Recode (c)", "c", recode);
  button("Note (n)", "n", note);
  button("Context (x)", "x", context);
  button("Undo (u)", "u", () => decide("undo"));
  button("Code selection (m)", "m", manual);
  article.append(actions);
  return article;
}

function manualIn(s) {
  return (state.manualCodings || []).filter((m) => m.documentID === s.documentID && m.segmentIndex === s.segmentIndex);
}

function turnText(s) {
  const p = el("p", "turn");
  const chars = Array.from(s.text);  // code points, as the ranges count
  const spans = s.evidence.map((e) => [e.range.start - s.range.start, e.range.end - s.range.start]).sort((a, b) => a[0] - b[0]);
  let at = 0;
  for (const [start, end] of spans) {
    if (start < at) continue;
    p.append(document.createTextNode(chars.slice(at, start).join("")));
    p.append(el("mark", null, chars.slice(start, end).join("")));
    at = end;
  }
  p.append(document.createTextNode(chars.slice(at).join("")));
  return p;
}

function renderTree() {
  const counts = new Map();
  for (const s of listed()) for (const name of codePath(s)) {
    const c = counts.get(name) || {total: 0, done: 0};
    c.total += 1; if (s.status !== "pending") c.done += 1;
    counts.set(name, c);
  }
  const children = new Map();
  for (const c of state.codes) { const key = c.parent || ""; if (!children.has(key)) children.set(key, []); children.get(key).push(c); }
  const build = (parent) => {
    const ul = el("ul");
    for (const c of children.get(parent) || []) {
      const li = el("li");
      const count = counts.get(c.name) || {total: 0, done: 0};
      const b = el("button", c.name === codeFilter ? "selected" : "");
      b.type = "button";
      b.append(el("span", null, c.name), el("span", "count", count.done + "/" + count.total));
      b.addEventListener("click", () => { codeFilter = c.name === codeFilter ? "" : c.name; active = 0; shown = PAGE; render(); });
      li.append(b);
      if (children.has(c.name)) li.append(build(c.name));
      ul.append(li);
    }
    return ul;
  };
  const tree = $("tree");
  tree.replaceChildren(...build("").children);
  $("clear-code").hidden = !codeFilter;
  $("code-words").hidden = !codeFilter;
}

// The words that mark the chosen code's turns against the others (the server counts them from
// the codings, or from the suggestions when none carries the code yet).
async function codeWords() {
  const code = codeFilter;
  if (!code) return;
  $("words-title").textContent = "Words of " + code;
  $("words-basis").textContent = "counting…";
  $("words-table").replaceChildren();
  $("words-dialog").showModal();
  const response = await api("/api/words?code=" + encodeURIComponent(code));
  if (!response.ok) { $("words-basis").textContent = await response.text(); return; }
  const words = await response.json();
  if (code !== codeFilter) return;
  const whose = words.basis === "suggestions" ? "its suggestions not rejected" : "the codings of " + words.coders.join(", ");
  $("words-basis").textContent = words.turns + " turns carrying it (" + whose + ") against " + words.otherTurns +
    " other turns; words said twice or more there" + (words.rows.length ? ":" : ": none more often than elsewhere.");
  const head = el("tr");
  for (const name of ["word", "here", "others", "G²", "log ratio", ""]) head.append(el("th", null, name));
  const rows = words.rows.map((w) => {
    const tr = el("tr", w.inPatterns ? "in-patterns" : "candidate");
    for (const cell of [w.word, w.count, w.otherCount, w.logLikelihood.toFixed(2), w.logRatio.toFixed(2), w.inPatterns ? "pattern" : ""]) tr.append(el("td", null, String(cell)));
    return tr;
  });
  $("words-table").replaceChildren(head, ...rows);
}

function renderProgress() {
  const done = listed().filter((s) => s.status !== "pending").length;
  $("progress").textContent = "reviewed " + done + " / " + listed().length;
}

function highlightActive(scroll = true) {
  if (visible[active] && active >= rendered) {
    (active < requested ? drawing : showUpTo(active + PAGE)).then(() => mark(scroll));
    return;
  }
  mark(scroll);
}

function mark(scroll) {
  document.querySelectorAll(".card.active").forEach((c) => c.classList.remove("active"));
  const s = visible[active];
  if (!s) return;
  const node = document.querySelector('.card[data-id="' + s.id + '"]');
  if (node) { node.classList.add("active"); if (scroll) node.scrollIntoView({block: "nearest"}); }
}

function banner(message, reload) {
  const b = $("banner");
  b.replaceChildren(el("span", null, message + " "));
  if (reload) { const r = el("button", null, "Reload"); r.type = "button"; r.addEventListener("click", () => location.reload()); b.append(r); }
  b.hidden = false;
}

async function send(actions) {
  const response = await api("/api/decisions", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({version: state.version, actions})});
  if (response.status === 409) { banner("These decisions were changed in another tab or window; reload to see them before deciding again.", true); return false; }
  if (!response.ok) { const body = await response.json().catch(() => ({error: response.statusText})); banner("Not saved: " + body.error); return false; }
  $("banner").hidden = true;
  // The answer holds the suggestions the decisions changed; everything is loaded again only
  // when a run has replaced the suggestions since the page loaded them.
  const decided = await response.json();
  if (decided.run !== state.run || decided.suggestions.some((s) => !positions.has(s.id))) { await load(); return true; }
  state.version = decided.version;
  // The turns whose codings by hand changed: their cards are drawn again too.
  const key = (m) => m.documentID + "\u0000" + m.segmentIndex;
  const old = state.manualCodings || [];
  const before = new Set(old.map((m) => m.id)), after = new Set(decided.manualCodings.map((m) => m.id));
  const turns = new Set([...old.filter((m) => !after.has(m.id)), ...decided.manualCodings.filter((m) => !before.has(m.id))].map(key));
  state.manualCodings = decided.manualCodings;
  for (const s of decided.suggestions) {
    full.set(s.id, s);
    const listedOne = listed()[positions.get(s.id)];
    listedOne.status = statusOf(s);
    listedOne.conflict = s.status === "conflict";
  }
  // The status filter, or the turns of the "In a turn with" code, may list other cards now.
  if ($("filter-status").value !== "" || decided.suggestions.some((s) => s.code === $("filter-with").value)) { render(); return true; }
  // No filter looks at statuses: the same cards are listed, and only the changed ones are drawn again.
  const changed = new Map(decided.suggestions.map((s) => [s.id, s]));
  for (let index = 0; index < Math.min(visible.length, rendered); index += 1) {
    const shown = full.get(visible[index].id);
    if (!changed.has(visible[index].id) && shown && turns.has(key(shown))) changed.set(shown.id, shown);
  }
  for (let index = 0; index < visible.length; index += 1) {
    const s = changed.get(visible[index].id);
    if (!s) continue;
    const node = index < rendered ? document.querySelector('.card[data-id="' + s.id + '"]') : null;
    if (node) node.replaceWith(card(s, index));
  }
  renderTree();
  renderProgress();
  highlightActive(false);
  return true;
}

async function decide(action) {
  const s = visible[active];
  if (!s) return;
  if (await send([{action, id: s.id}]) && action !== "undo" && active < visible.length - 1 && $("filter-status").value === "") { active += 1; highlightActive(); }
}

function chooseCode(title, except) {
  return new Promise((resolve) => {
    const dialog = $("code-dialog");
    $("code-dialog-title").textContent = title;
    const select = $("code-choice");
    // Recoding offers every code but the suggested one (recoding to it would be accepting).
    select.replaceChildren(...state.codes.filter((c) => c.name !== except).map((c) => new Option((c.path.length > 1 ? "  ".repeat(c.path.length - 1) : "") + c.name, c.name)));
    select.selectedIndex = 0;
    dialog.returnValue = "";
    const done = () => { dialog.removeEventListener("close", done); resolve(dialog.returnValue === "ok" ? select.value : null); };
    dialog.addEventListener("close", done);
    select.onkeydown = (e) => { if (e.key === "Enter") { e.preventDefault(); dialog.close("ok"); } };
    dialog.showModal();
    select.focus();
  });
}

async function recode() {
  const s = visible[active];
  if (!s) return;
  const code = await chooseCode("Recode “" + s.code + "” as:", s.code);
  if (code) await send([{action: "recode", id: s.id, code}]);
}

async function note() {
  const s = visible[active] && full.get(visible[active].id);
  if (!s) return;
  const dialog = $("note-dialog");
  const mine = mineOf(s);
  $("note-text").value = mine && mine.note ? mine.note : "";
  dialog.returnValue = "";
  dialog.showModal();
  dialog.addEventListener("close", async function done() {
    dialog.removeEventListener("close", done);
    if (dialog.returnValue === "ok") await send([{action: "note", id: s.id, note: $("note-text").value}]);
  });
}

async function context() {
  const s = visible[active] && full.get(visible[active].id);
  if (!s) return;
  const node = document.querySelector('.card[data-id="' + s.id + '"]');
  if (!node || node.querySelector(".context")) return;
  const response = await api("/api/turns?document=" + encodeURIComponent(s.documentID) + "&segment=" + s.segmentIndex);
  if (!response.ok) return;
  const turns = await response.json();
  const box = el("div", "context");
  for (const t of turns) if (t.index !== s.segmentIndex) box.append(el("p", null, (t.index < s.segmentIndex ? "before — " : "after — ") + t.speaker + ": " + t.text));
  node.append(box);
}

async function manual() {
  const s = visible[active] && full.get(visible[active].id);
  if (!s) return;
  const node = document.querySelector('.card[data-id="' + s.id + '"] .turn');
  const selection = window.getSelection();
  if (!node || !selection || selection.rangeCount === 0 || selection.isCollapsed || !node.contains(selection.anchorNode) || !node.contains(selection.focusNode)) {
    banner("Select some text in the turn first, then press m.");
    return;
  }
  const range = selection.getRangeAt(0);
  const before = document.createRange();
  before.setStart(node, 0);
  before.setEnd(range.startContainer, range.startOffset);
  const start = Array.from(before.toString()).length;
  const length = Array.from(range.toString()).length;
  const code = await chooseCode("Code “" + range.toString() + "” as:");
  if (code) await send([{action: "manual", code, document: s.documentID, start: s.range.start + start, end: s.range.start + start + length}]);
}

document.addEventListener("keydown", (e) => {
  if (document.querySelector("dialog[open]") || e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.target instanceof HTMLSelectElement || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLInputElement) return;
  const actions = {j: () => { if (active < visible.length - 1) active += 1; highlightActive(); }, k: () => { if (active > 0) active -= 1; highlightActive(); },
    a: () => decide("accept"), r: () => decide("reject"), c: recode, u: () => decide("undo"), n: note, x: context, m: manual, "?": () => $("help").showModal()};
  const handler = actions[e.key];
  if (handler) { e.preventDefault(); handler(); }
});
for (const id of ["view", "filter-status", "filter-participant", "filter-attribute", "filter-with"]) $(id).addEventListener("change", () => { active = 0; shown = PAGE; render(); });
$("clear-code").addEventListener("click", () => { codeFilter = ""; shown = PAGE; render(); });
$("code-words").addEventListener("click", codeWords);
$("help-button").addEventListener("click", () => $("help").showModal());
load();
