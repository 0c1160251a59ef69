// The studio's page: the state is in the URL (lecture, scene, quality, the options set), the server
// checks and renders, and its events (progress, a render's end, a file changed) update the page.
"use strict";

const $ = (id) => document.getElementById(id);
const player = $("player");
const page = fromURL();
let state = null;       // the server's /api/state for this page's URL
let open = null;        // the open scene's part of it
let formFor = "";       // which scene and settings the form was built for (it is not rebuilt under the user's hands)
let checkTimer = 0;
let shown = { sections: [], duration: 1 };  // the beats of the clip in the player (an old one while a new renders)

function fromURL() {
  const query = new URLSearchParams(location.search);
  const settings = {};
  for (const [k, v] of query) if (!["lecture", "scene", "q"].includes(k)) settings[k] = v;
  return { lecture: query.get("lecture") || "", scene: query.get("scene") || "", q: query.get("q") || "", settings };
}

function query(extra = {}) {
  const q = new URLSearchParams();
  if (page.lecture) q.set("lecture", page.lecture);
  if (page.scene) q.set("scene", page.scene);
  if (page.q) q.set("q", page.q);
  for (const [k, v] of Object.entries({ ...page.settings, ...extra })) q.set(k, v);
  return q;
}

function saveURL() {
  history.replaceState(null, "", "?" + query().toString());
}

async function post(path, body) {
  const response = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  return { ok: response.ok, data: await response.json() };
}

async function load() {
  const response = await fetch("/api/state?" + query().toString());
  const data = await response.json();
  if (!response.ok) { $("status").textContent = data.error; return; }
  state = data;
  page.lecture = data.lecture; page.scene = data.scene; page.q = data.quality;
  saveURL();
  const theme = "/theme.css?name=" + encodeURIComponent(page.settings.theme || "dark");
  if ($("theme").getAttribute("href") !== theme) $("theme").setAttribute("href", theme);
  open = state.scenes.find((s) => s.id === state.scene);
  drawChoices();
  drawScenes();
  const key = open.id + JSON.stringify(page.settings) + page.q;
  if (key !== formFor) { drawForm(); formFor = key; }
  showOpen();
}

function drawChoices() {
  const lectures = $("lecture"), qualities = $("quality");
  lectures.replaceChildren(...state.lectures.map((l) => new Option(l.title, l.id, false, l.id === state.lecture)));
  qualities.replaceChildren(...Object.entries(state.qualities).map(([k, name]) => new Option(name, k, false, k === state.quality)));
}

function sceneMeta(s) {
  if (s.task) return s.task.state === "queued" ? "queued" : `rendering ${s.task.frames} frames`;
  if (s.error) return "failed: see the player";
  if (s.duration != null) return `${s.duration.toFixed(0)} s, ${s.sections.length} beats`;
  return Object.keys(page.settings).length ? "not rendered with these settings" : "not rendered yet";
}

function drawScenes() {
  $("scenes").replaceChildren(...state.scenes.map((s, i) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.scene = s.id;
    button.setAttribute("aria-current", String(s.id === state.scene));
    if (s.error) button.classList.add("failed");
    const poster = s.poster ? Object.assign(new Image(), { src: s.poster, alt: "" }) : document.createElement("span");
    if (!s.poster) poster.className = "no-poster";
    const text = document.createElement("span");
    text.innerHTML = `<span class="title"></span><span class="meta"></span>`;
    text.querySelector(".title").textContent = `${i + 1}. ${s.title}${s.extra ? " (extra)" : ""}`;
    text.querySelector(".meta").textContent = sceneMeta(s);
    button.append(poster, text);
    button.addEventListener("click", () => { page.scene = s.id; load(); });
    item.append(button);
    return item;
  }));
}

function notice(text, isError = false) {
  const box = $("notice");
  box.hidden = !text;
  box.textContent = text || "";
  box.classList.toggle("error", isError);
}

function showOpen() {
  if (draft && edit && !edit.done && open.id === draft.scene) return;  // the saved beat's draft plays until its clip is rendered
  const fromDraft = draft, within = player.currentTime;
  if (fromDraft) leaveDraft();
  const swapped = open.clip && player.getAttribute("src") !== open.clip;
  if (swapped) {
    const sameScene = player.dataset.scene === open.id, playing = !player.paused || fromDraft !== null;
    const at = fromDraft ? fromDraft.start + within : player.currentTime;
    if (fromDraft && edit) edit.draftAt = within;  // where in the beat the draft was: the clip goes on from there
    player.dataset.scene = open.id;
    player.setAttribute("src", open.clip);
    player.poster = open.poster || "";
    shown = { sections: open.sections, duration: open.duration || 1 };
    if (sameScene) player.addEventListener("loadedmetadata", () => {
      player.currentTime = Math.min(at, player.duration || at);
      if (playing) player.play();
    }, { once: true });
    if (edit && edit.done) player.addEventListener("loadedmetadata", playEdited, { once: true });
    drawTimeline();
    drawStoryboard();
    loadNarration();
  } else if (!open.clip && player.dataset.scene !== open.id) {
    player.removeAttribute("src"); player.removeAttribute("poster"); player.dataset.scene = "";
    player.load();
    shown = { sections: [], duration: 1 };
    drawTimeline(); drawStoryboard(); loadNarration();
  }
  if (edit && edit.done && !swapped && open.clip) playEdited();  // a save that changed nothing drawn: the same clip
  // A scene rendering with new settings keeps playing its old clip until the new one is there.
  const keepsOld = !open.clip && player.dataset.scene === open.id;
  if (open.error) notice(open.error, true);
  else if (open.task) notice(keepsOld ? "" : progressText(open.task));
  else if (!open.clip) { notice(keepsOld ? "" : "not rendered yet: rendering it now"); render(page.settings, false); }
  else notice("");
}

// --- the timeline: a block per beat, the waveform of the narration behind -----------------------
function beats() { return shown.sections; }

function drawTimeline() {
  const total = shown.duration;
  $("beats").replaceChildren(...beats().map((b, i) => {
    const block = document.createElement("button");
    block.type = "button";
    block.className = "beat";
    block.dataset.index = i;
    block.dataset.start = b.start;
    block.style.flex = `0 0 ${(100 * (b.end - b.start) / total).toFixed(3)}%`;
    block.textContent = b.name.replaceAll("_", " ");
    block.title = `${b.name} (${(b.end - b.start).toFixed(1)} s): ${b.narration}`;
    block.setAttribute("aria-label", `beat ${i + 1}: ${b.name.replaceAll("_", " ")}, from ${b.start.toFixed(1)} s`);
    block.addEventListener("click", () => seek(b.start));
    return block;
  }));
  drawWaveform(null);
  findings = [];
  if (shown.sections.length) afterEdit(() => {
    fetch("/api/waveform?" + query().toString()).then((r) => r.json()).then((w) => drawWaveform(w.peaks));
    fetch("/api/findings?" + query().toString()).then((r) => r.json()).then((f) => showFindings(f.findings || []));
  });
  markBeat();
}

// --- `lecture check`'s findings, on the beat they belong to ------------------------------------------
let findings = [];

function showFindings(list) {
  findings = list;
  document.querySelectorAll(".beat").forEach((block) => {
    const name = beats()[Number(block.dataset.index)].name, mine = list.filter((f) => f.beat === name);
    block.classList.toggle("has-findings", mine.length > 0);
    block.dataset.findings = mine.length ? String(mine.length) : "";
    if (mine.length) block.setAttribute("aria-label", `${block.getAttribute("aria-label")}, ${mine.length} check findings`);
  });
  markBeat();
}

function drawBeatFindings(i) {
  const name = i >= 0 ? beats()[i].name : null;
  const mine = findings.filter((f) => f.beat === name || (f.beat === "" && i === 0));
  $("beat-findings").replaceChildren(...mine.map((f) => {
    const item = document.createElement("li");
    item.textContent = `${f.time.toFixed(1)} s, ${f.rule}: ${f.message}`;
    item.addEventListener("click", () => seek(f.time));
    return item;
  }));
}

function drawWaveform(peaks) {
  const canvas = $("waveform"), ratio = window.devicePixelRatio || 1;
  canvas.width = canvas.clientWidth * ratio; canvas.height = canvas.clientHeight * ratio;
  const g = canvas.getContext("2d");
  g.clearRect(0, 0, canvas.width, canvas.height);
  if (!peaks) { canvas.dataset.peaks = "0"; return; }
  canvas.dataset.peaks = String(peaks.length);
  g.fillStyle = getComputedStyle(document.body).getPropertyValue("--forward");
  g.globalAlpha = 0.55;
  const mid = canvas.height / 2, step = canvas.width / peaks.length;
  peaks.forEach((p, i) => { const h = Math.max(1, p * mid * 0.9); g.fillRect(i * step, mid - h, Math.max(1, step - 0.5), 2 * h); });
}

function clock() {
  // The time in the clip: a draft is only the saved beat, which starts at draft.start in the clip.
  return draft ? draft.start + player.currentTime : player.currentTime;
}

function currentIndex() {
  const t = clock(), list = beats();
  let found = -1;
  list.forEach((b, i) => { if (t >= b.start - 1e-3) found = i; });
  return found;
}

function markBeat() {
  const i = currentIndex(), list = beats();
  document.querySelectorAll(".beat").forEach((b) => b.classList.toggle("current", Number(b.dataset.index) === i));
  document.querySelectorAll("#storyboard button").forEach((b) => b.classList.toggle("current", Number(b.dataset.index) === i));
  const total = shown.duration;
  $("playhead").style.left = `${Math.min(100, 100 * clock() / total)}%`;
  showNarration(i >= 0 ? list[i].name : "");
  drawBeatFindings(i);
}

function seek(time) {
  if (draft && time >= draft.start - 1e-3 && time < draft.end) player.currentTime = time - draft.start;
  else if (draft) {  // elsewhere than the drafted beat: the clip as it was before the save, until the new one is there
    leaveDraft();
    player.setAttribute("src", open.clip);
    player.addEventListener("loadedmetadata", () => { player.currentTime = time; markBeat(); }, { once: true });
  } else player.currentTime = time;
  markBeat();
}

function step(direction) {
  const list = beats();
  if (!list.length) return;
  let i = currentIndex();
  if (direction < 0 && i >= 0 && clock() - list[i].start > 0.5) direction = 0; // back to this beat's start first
  i = Math.max(0, Math.min(list.length - 1, i + direction));
  seek(list[i].start);
}

function tick() { markBeat(); if (!player.paused) requestAnimationFrame(tick); }
player.addEventListener("play", () => requestAnimationFrame(tick));
player.addEventListener("timeupdate", markBeat);
player.addEventListener("seeked", markBeat);

// --- the storyboard: every beat's last frame -------------------------------------------------------
function drawStoryboard() {
  $("storyboard").replaceChildren();
  if (!open || !open.clip) return;
  const wanted = open.clip;
  afterEdit(() => fetch("/api/storyboard?" + query().toString()).then((r) => r.json()).then((data) => {
    if (!open || open.clip !== wanted) return;
    $("storyboard").replaceChildren(...data.frames.map((f, i) => {
      const button = document.createElement("button");
      button.type = "button";
      button.setAttribute("role", "listitem");
      button.dataset.index = i;
      button.title = `Go to beat ${i + 1}: ${f.name}`;
      const image = Object.assign(new Image(), { src: f.url, alt: `end of beat ${i + 1}, ${f.name}` });
      const label = document.createElement("span");
      label.textContent = `${i + 1}. ${f.name.replaceAll("_", " ")}`;
      button.append(image, label);
      button.addEventListener("click", () => seek(f.start));
      return button;
    }));
    markBeat();
  }));
}

// --- the narration: the beat's text, edited here and saved into the lecture's script file ------------
let texts = { scene: "", beats: {} };  // the open scene's beats as the script file gives them (marks as written)
let edit = null;  // the save whose render the page waits for: {task, draft, beat, t0, done}
let draft = null;  // the draft playing in place of the clip: {scene, beat, start, end} (its start and end in the clip)
window.studioEdits = [];  // each save's beat and the milliseconds from saving to its new clip (and to its draft) playing

function loadNarration() {
  if (!open) return;
  const scene = open.id;
  fetch("/api/narration?" + query().toString()).then((r) => r.json()).then((data) => {
    if (!open || open.id !== scene || !data.beats) return;
    texts = { scene, beats: data.beats };
    if (!narrationDirty()) $("narration-field").dataset.beat = "";  // shown again: the file may say something new
    $("narration-file").textContent = (data.exists ? "saves into " : "saving makes ") + data.file;
    if (data.error) $("narration-error").textContent = data.error;
    markBeat();
  });
}

function narrationDirty() {
  const field = $("narration-field");
  return field.value !== (field.dataset.loaded || "");
}

function showNarration(name) {
  // The field follows the beat playing, but never under the lecturer's hands: not while it has unsaved text.
  const field = $("narration-field");
  if (field.dataset.beat === name && texts.scene === (open && open.id) && field.dataset.scene === texts.scene) return;
  if (narrationDirty() || (document.activeElement === field && field.dataset.beat)) return;
  const text = texts.scene === (open && open.id) && name in texts.beats ? texts.beats[name] : "";
  field.value = text; field.dataset.loaded = text; field.dataset.beat = name; field.dataset.scene = texts.scene;
  $("beat-name").textContent = name.replaceAll("_", " ");  // the beat the text is, kept while it is being edited
  field.disabled = !name;
  $("save-narration").disabled = !name;
}

async function saveNarration() {
  const field = $("narration-field"), beat = field.dataset.beat, t0 = performance.now();
  if (!beat) return;
  const settings = { ...page.settings };
  if (!settings.voice || settings.voice === "none") settings.voice = "joe";  // a narration is written to be heard
  $("narration-error").textContent = "";
  field.removeAttribute("aria-invalid");
  const answer = await post("/api/narration", { ...body(settings), beat, text: field.value });
  if (!answer.ok) {
    $("narration-error").textContent = answer.data.error || "not saved";
    field.setAttribute("aria-invalid", "true");
    return;
  }
  const words = field.value.split(/\s+/).filter(Boolean).join(" ");
  texts.beats[beat] = words;
  field.value = words; field.dataset.loaded = words;
  edit = { task: answer.data.task.id, draft: answer.data.draft && answer.data.draft.id, beat, t0,
           saved: performance.now() - t0, done: answer.data.task.state === "done" };
  if (JSON.stringify(settings) !== JSON.stringify(page.settings)) { page.settings = settings; saveURL(); }
  $("progress").textContent = progressText(answer.data.task);
}

function afterEdit(work) {
  // While a saved beat's new clip loads, the server decodes nothing else for the page (the waveform, the
  // storyboard's frames, the check's findings): they wait until it plays, so they do not delay it.
  if (edit && edit.done) player.addEventListener("playing", () => work(), { once: true });
  else work();
}

function playEdited() {
  // The saved beat plays from its start in the new clip; the time from saving to its first frame playing is kept.
  const saved = edit;
  edit = null;
  const section = open.sections.find((b) => b.name === saved.beat);
  const within = section && saved.draftAt ? Math.min(saved.draftAt, section.end - section.start) : 0;
  player.currentTime = section ? section.start + within : 0;
  player.addEventListener("playing", () => {
    const ms = performance.now() - saved.t0;
    window.studioEdits.push({ beat: saved.beat, ms, saved: saved.saved, rendered: saved.rendered,  // ms since the click
                              draft: saved.draftMs ?? null, draftRendered: saved.draftRendered ?? null,
                              draftProcess: saved.draftProcess ?? null, noDraft: saved.noDraft ?? null });
    $("status").textContent = `${saved.beat.replaceAll("_", " ")}: saved, playing ${(ms / 1000).toFixed(1)} s later`;
  }, { once: true });
  player.play();
}

function showDraft(event) {
  // The saved beat alone, small, with its new speech (lecture/render/draft.py), while its full clip renders.
  const saved = edit;
  saved.draftRendered = performance.now() - saved.t0;
  saved.draftProcess = event.seconds * 1000;  // the draft's render process, from its start to its files published
  draft = { scene: event.task.scene, beat: event.beat, start: event.start, end: event.end };
  $("draft-label").hidden = false;
  player.dataset.draft = event.beat;
  player.setAttribute("src", event.url);
  player.addEventListener("loadedmetadata", () => { player.currentTime = 0; player.play(); }, { once: true });
  player.addEventListener("playing", () => {
    saved.draftMs = performance.now() - saved.t0;
    $("status").textContent = `${saved.beat.replaceAll("_", " ")}: a draft playing ${(saved.draftMs / 1000).toFixed(1)} s after the save; the clip follows`;
  }, { once: true });
  markBeat();
}

function leaveDraft() {
  draft = null;
  $("draft-label").hidden = true;
  delete player.dataset.draft;
}

$("narration-form").addEventListener("submit", (e) => { e.preventDefault(); saveNarration(); });
$("narration-field").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); saveNarration(); }  // Ctrl+Enter saves
});

// --- the parameters: the option table's rows that change the open scene ----------------------------
function drawForm() {
  $("fields").replaceChildren(...state.form.map((f) => {
    const box = document.createElement("div");
    box.className = "field";
    box.dataset.name = f.name;
    const label = document.createElement("label");
    label.htmlFor = "field-" + f.name;
    label.textContent = f.name + " ";
    let input;
    if (f.choices) {
      input = document.createElement("select");
      input.append(...f.choices.map((c) => new Option(c, c, false, c === f.value)));
    } else {
      input = document.createElement("input");
      input.type = "text";
      input.value = f.value;
      input.placeholder = f.default || (f.name === "expr" ? "the notebook's graph" : "");
      input.spellcheck = false;
    }
    input.id = "field-" + f.name;
    input.name = f.name;
    input.dataset.default = f.default;
    input.title = f.help;
    const error = document.createElement("p");
    error.className = "error";
    error.id = "error-" + f.name;
    input.setAttribute("aria-describedby", error.id);
    input.addEventListener("input", () => { box.classList.toggle("changed", input.value.trim() !== f.default); scheduleCheck(); });
    box.classList.toggle("changed", f.value !== f.default);
    box.append(label, input, error);
    return box;
  }));
  showErrors(null);
}

function formSettings() {
  const settings = {};
  for (const input of $("fields").querySelectorAll("input, select")) {
    if (input.value.trim() !== input.dataset.default) settings[input.name] = input.value.trim();
  }
  return settings;
}

function showErrors(answer) {
  document.querySelectorAll(".field .error").forEach((e) => { e.textContent = ""; });
  document.querySelectorAll(".field input").forEach((i) => i.removeAttribute("aria-invalid"));
  $("form-error").textContent = "";
  if (!answer) return;
  for (const problem of answer.errors || (answer.error ? [answer] : [])) {
    const beside = problem.field && $("error-" + problem.field);
    if (beside) {
      beside.textContent = problem.error;
      const input = $("field-" + problem.field);
      if (input) input.setAttribute("aria-invalid", "true");
    } else $("form-error").textContent = problem.error;
  }
}

function body(settings) {
  return { lecture: page.lecture, scene: page.scene, q: page.q, ...settings };
}

function scheduleCheck() {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(async () => {
    const answer = await post("/api/check", body(formSettings()));
    showErrors(answer.ok ? null : answer.data);
  }, 350);
}

async function render(settings, fromForm) {
  const answer = await post("/api/render", body(settings));
  if (!answer.ok) { showErrors(answer.data); $("progress").textContent = ""; return; }
  showErrors(null);
  if (fromForm) { page.settings = settings; formFor = open.id + JSON.stringify(settings) + page.q; saveURL(); }
  $("progress").textContent = progressText(answer.data.task);
}

function progressText(task) {
  if (task.state === "queued") return `${task.scene}: queued`;
  if (task.state === "failed") return `${task.scene}: failed`;
  if (task.state === "done") return `${task.scene}: done`;
  const frames = task.total ? `${task.frames}/${task.total} frames` : `${task.frames} frames`;
  return `${task.scene}: ${frames}` + (task.eta_text ? `, ETA ${task.eta_text}` : "");
}

$("form").addEventListener("submit", (e) => { e.preventDefault(); render(formSettings(), true); });
$("reset").addEventListener("click", () => { page.settings = {}; formFor = ""; load(); });
$("lecture").addEventListener("change", (e) => { page.lecture = e.target.value; page.scene = ""; load(); });
$("quality").addEventListener("change", (e) => { page.q = e.target.value; load(); });

// --- events from the server ---------------------------------------------------------------------
function mine(task) {
  return state && state.scenes.some((s) => s.id === task.scene);
}

window.studioEvents = [];

function listen() {
  const events = new EventSource("/api/events");
  events.onmessage = (message) => {
    const event = JSON.parse(message.data);
    window.studioEvents.push(event.type);  // what the page heard, for the tests and a curious lecturer
    if (event.type === "changed") {
      $("status").textContent = `${event.files.join(", ")} changed` + (event.scenes.length ? `: ${event.scenes.length} scenes affected` : "");
      return;
    }
    const task = event.task;
    if (!task || !mine(task)) return;
    if (event.type === "edited") {  // a scene file saved in an editor: its changed beat is drafted, as after a narration save
      if (!edit && task.scene === page.scene && open && task.folder === open.folder)
        edit = { task: task.id, draft: event.draft.id, beat: event.beat, t0: performance.now(), saved: 0, done: false };
      return;
    }
    if (event.type === "draft" || event.type === "draft-failed") {  // a draft is never a scene's clip or task
      if (!edit || task.id !== edit.draft) return;
      if (event.type === "draft") { if (!edit.done && task.scene === page.scene) showDraft(event); }
      else edit.noDraft = task.error;
      return;
    }
    const shown = state.scenes.find((s) => s.id === task.scene);
    if (task.scene === page.scene) $("progress").textContent = progressText(task);
    if (edit && task.id === edit.task) {
      if (event.type === "done") { edit.done = true; edit.rendered = performance.now() - edit.t0; }
      else if (event.type === "failed") { $("narration-error").textContent = task.error; edit = null; }
    }
    if (event.type === "done" || event.type === "failed") { load(); return; }
    if (shown && shown.folder === task.folder) {
      shown.task = task;
      const meta = document.querySelector(`#scenes button[data-scene="${task.scene}"] .meta`);
      if (meta) meta.textContent = sceneMeta(shown);
      if (task.scene === page.scene && !open.clip && player.dataset.scene !== open.id) notice(progressText(task));
    }
  };
  events.onopen = () => { $("status").textContent = "connected"; };
  events.onerror = () => { $("status").textContent = "server gone: reconnecting"; };
}

// --- keyboard: space plays and pauses, left and right step a beat ----------------------------------
window.addEventListener("keydown", (e) => {
  if (e.target.closest && e.target.closest("input, select, textarea")) return;
  if (e.key === " ") { e.preventDefault(); e.stopPropagation(); if (player.paused) player.play(); else player.pause(); }
  else if (e.key === "ArrowLeft") { e.preventDefault(); e.stopPropagation(); step(-1); }
  else if (e.key === "ArrowRight") { e.preventDefault(); e.stopPropagation(); step(1); }
}, true);
window.addEventListener("resize", () => drawTimeline());

listen();
load();
