// channelmix planner: every edit becomes the `--set PATH=VALUE` assignments the command line
// takes; a change is sent after a short pause, and only the newest answer is shown (the server
// stops an older solve). A bad value shows its message at its field and the last plan stays.
// Unsaved edits live in localStorage until saved or reset. No framework, no build step.
"use strict";
(function () {
  const root = document.getElementById("planner");
  if (!root) return;
  const file = root.dataset.file;
  const words = JSON.parse(root.dataset.words);
  const forceOn = JSON.parse(root.dataset.forceOn);
  const forceOff = JSON.parse(root.dataset.forceOff);
  const storeKey = "channelmix-planner:" + location.pathname + ":" + file;
  const status = document.getElementById("plan-status");
  const plan = document.getElementById("plan");
  const side = document.querySelector(".plan-side");
  const fields = Array.from(document.querySelectorAll("input[data-path]"));
  const cells = Array.from(document.querySelectorAll("input[data-row]"));  // an affinity row, set as a whole
  const states = Array.from(document.querySelectorAll("select[data-state]"));
  let seq = 0, shown = 0, timer = null;

  const DIGITS = { "۰": 0, "۱": 1, "۲": 2, "۳": 3, "۴": 4, "۵": 5, "۶": 6, "۷": 7, "۸": 8, "۹": 9,
                   "٠": 0, "١": 1, "٢": 2, "٣": 3, "٤": 4, "٥": 5, "٦": 6, "٧": 7, "٨": 8, "٩": 9 };
  function western(text) {  // Persian and Arabic-Indic digits as the file writes them
    return text.replace(/[۰-۹٠-٩]/g, (d) => String(DIGITS[d])).replace(/٫/g, ".").replace(/[٬\s]/g, "");
  }
  function valueOf(input) {
    if (input.dataset.list) return flow(input.value.split(",").map((x) => x.trim()).filter((x) => x));
    if (input.dataset.text) return JSON.stringify(input.value.trim());  // a label: text, whatever it reads like
    let text = western(input.value.trim());
    if (input.dataset.percent && text !== "" && !isNaN(Number(text))) text = String(Number(text) / 100);
    return text;
  }
  function initialOf(input) {
    let text = input.dataset.initial;
    if (input.dataset.percent && text !== "") text = String(Number(text) / 100);
    return text;
  }
  function flow(list) { return "[" + list.map((id) => JSON.stringify(id)).join(", ") + "]"; }

  function assignments() {
    const sets = [];
    for (const input of fields) {
      if (input.value.trim() !== input.dataset.initial) sets.push(input.dataset.path + "=" + valueOf(input));
    }
    const rows = new Map();
    for (const cell of cells) {
      if (!rows.has(cell.dataset.row)) rows.set(cell.dataset.row, []);
      rows.get(cell.dataset.row).push(cell);
    }
    for (const [row, members] of rows) {
      if (members.some((c) => c.value.trim() !== c.dataset.initial)) {
        sets.push(row + "={" + members.map((c) => JSON.stringify(c.dataset.key) + ": " + western(c.value.trim())).join(", ") + "}");
      }
    }
    if (states.some((s) => s.value !== s.dataset.initial)) {
      const on = forceOn.filter((id) => !states.some((s) => s.dataset.state === id));
      const off = forceOff.filter((id) => !states.some((s) => s.dataset.state === id));
      for (const s of states) {
        if (s.value === "on") on.push(s.dataset.state);
        if (s.value === "off") off.push(s.dataset.state);
      }
      sets.push("rules.force_on=" + flow(on), "rules.force_off=" + flow(off));
    }
    return sets;
  }

  function remember() {
    const kept = {};
    for (const input of fields) if (input.value.trim() !== input.dataset.initial) kept[input.dataset.path] = input.value;
    for (const c of cells) if (c.value.trim() !== c.dataset.initial) kept["row:" + c.dataset.row + ":" + c.dataset.key] = c.value;
    for (const s of states) if (s.value !== s.dataset.initial) kept["state:" + s.dataset.state] = s.value;
    try {
      if (Object.keys(kept).length) localStorage.setItem(storeKey, JSON.stringify(kept));
      else localStorage.removeItem(storeKey);
    } catch (e) { /* storage off: edits live only in the page */ }
    const line = document.getElementById("edits-line");
    line.textContent = assignments().map((a) => "--set " + a).join(" ");
  }

  function restore() {
    let kept = null;
    try { kept = JSON.parse(localStorage.getItem(storeKey) || "null"); } catch (e) { kept = null; }
    if (!kept) return false;
    for (const input of fields) if (input.dataset.path in kept) input.value = kept[input.dataset.path];
    for (const c of cells) if ("row:" + c.dataset.row + ":" + c.dataset.key in kept) c.value = kept["row:" + c.dataset.row + ":" + c.dataset.key];
    for (const s of states) if ("state:" + s.dataset.state in kept) s.value = kept["state:" + s.dataset.state];
    syncSliders();
    return true;
  }

  function syncSliders() {
    for (const slider of document.querySelectorAll("input.slider")) {
      const box = document.getElementById(slider.dataset.for);
      const n = Number(western(box.value));
      if (box.value.trim() !== "" && isFinite(n)) {
        if (n > Number(slider.max)) slider.max = String(n);
        slider.value = String(n);
      }
    }
  }

  function clearProblems() {
    for (const el of document.querySelectorAll(".bad")) el.classList.remove("bad");
    for (const el of document.querySelectorAll(".message")) { el.hidden = true; el.textContent = ""; }
    const general = document.getElementById("form-problems");
    general.hidden = true; general.textContent = "";
  }

  function fieldFor(path) {  // the field itself, else the nearest enclosing one (a channel's row)
    let at = path;
    while (at) {
      const el = document.querySelector('[data-field="' + CSS.escape(at) + '"]');
      if (el) return el;
      at = at.includes(".") ? at.slice(0, at.lastIndexOf(".")) : "";
    }
    return null;
  }

  function showProblems(problems) {
    clearProblems();
    const general = document.getElementById("form-problems");
    for (const p of problems) {
      const text = p.message + (p.fix ? " — " + p.fix : "");
      const el = fieldFor(p.path || "");
      const slot = el && el.querySelector(".message");
      if (slot) {
        el.classList.add("bad");
        slot.textContent = (slot.textContent ? slot.textContent + " · " : "") + text;
        slot.hidden = false;
      } else {
        general.textContent += (general.textContent ? " · " : "") + (p.path ? p.path + ": " : "") + text;
        general.hidden = false;
      }
    }
  }

  const bar = document.getElementById("result-bar");
  function say(state, text) {  // the plan's status line, and the result bar a phone keeps on screen
    status.dataset.state = state; status.textContent = text;
    bar.dataset.state = state; document.getElementById("bar-status").textContent = text;
  }

  async function post(url, body) {
    const response = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" },
                                        body: JSON.stringify({ file: file, ...body }), credentials: "same-origin" });
    return response.json();
  }

  async function solve() {
    const mine = ++seq;
    remember();
    side.classList.add("stale");
    say("solving", words.solving);
    let answer;
    try { answer = await post("/api/solve", { sets: assignments(), seq: mine }); }
    catch (e) { answer = { status: "failed", message: String(e) }; }
    if (mine < seq || answer.status === "superseded") return;  // a newer change is on its way
    shown = mine;
    if (answer.status === "invalid") {
      showProblems(answer.problems || []);
      say("invalid", words.invalid + " " + (plan.innerHTML ? words.kept : ""));
      return;
    }
    clearProblems();
    side.classList.remove("stale");
    if (answer.status === "ok" || answer.status === "no_plan") {
      plan.innerHTML = answer.html;
      plan.dataset.objective = answer.plan.objective == null ? "" : String(answer.plan.objective);
      plan.dataset.cost = answer.plan.cost == null ? "" : String(answer.plan.cost);
      plan.dataset.on = (answer.plan.channels || []).filter((c) => c.on).map((c) => c.id).join(" ");
      plan.dataset.sets = JSON.stringify(assignments());
      showCurves(answer.curves || []);
      document.getElementById("bar-figures").textContent = (answer.headline || []).join(" ");
      say(answer.status, answer.status === "ok" ? words.verified.replace("{seconds}", answer.seconds.toFixed(2))
                                               : words.no_plan);
    } else {
      say("failed", words.failed + " " + (answer.message || "") + " " + (plan.innerHTML ? words.kept : ""));
    }
  }

  // Each channel's response curve with today's and the plan's points: the chart of the plan on
  // screen, shown on demand for one channel and redrawn with every new plan while it is open.
  let curves = {}, curveShown = "";
  function showCurves(list) {
    curves = {};
    for (const c of list) curves[c.id] = c;
    for (const button of document.querySelectorAll("button[data-curve]")) button.hidden = !(button.dataset.curve in curves);
    if (curveShown) openCurve(curveShown);
  }
  function openCurve(id) {
    const panel = document.getElementById("curve-panel");
    const c = curves[id];
    curveShown = c ? id : "";
    panel.hidden = !c;
    if (!c) return;
    panel.dataset.channel = id;
    document.getElementById("curve-caption").textContent = c.caption;
    document.getElementById("curve-chart").innerHTML = c.svg;
  }
  for (const button of document.querySelectorAll("button[data-curve]")) {
    button.addEventListener("click", () => openCurve(button.dataset.curve));
  }
  document.getElementById("curve-close").addEventListener("click", () => openCurve(""));

  function changed() {
    clearTimeout(timer);
    remember();
    say("solving", words.solving);  // at once: what is on screen is no longer the plan of these values
    timer = setTimeout(solve, 250);
  }

  for (const input of fields.concat(cells)) input.addEventListener("input", () => { syncSliders(); changed(); });
  for (const s of states) s.addEventListener("change", changed);
  for (const slider of document.querySelectorAll("input.slider")) {
    slider.addEventListener("input", () => { document.getElementById(slider.dataset.for).value = slider.value; changed(); });
  }

  document.getElementById("reset").addEventListener("click", () => {
    for (const input of fields.concat(cells)) input.value = input.dataset.initial;
    for (const s of states) s.value = s.dataset.initial;
    syncSliders();
    clearProblems();
    solve();
  });

  async function store(extra) {
    const note = document.getElementById("save-status");
    const answer = await post("/api/save", { sets: assignments(), ...extra });
    if (answer.status === "saved") {
      try { localStorage.removeItem(storeKey); } catch (e) { /* nothing kept */ }
      note.textContent = (answer.backup ? words.saved : words.saved_new).replace("{file}", answer.saved)
        .replace("{backup}", answer.backup);
      if (!extra.variant && !extra.as_yaml) location.reload();  // the fields show the file as it now is
    } else {
      showProblems(answer.problems || []);
      note.textContent = answer.message || "";
    }
  }
  document.getElementById("save").addEventListener("click", () => store({}));
  document.getElementById("save-yaml").addEventListener("click", () => store({ as_yaml: true }));
  document.getElementById("save-variant").addEventListener("click", () => {
    const name = prompt(words.variant_name);
    if (name) store({ variant: name.trim() });
  });

  function onTheSlider(answer) {  // the frontier's budgets as the budget slider's ticks, the knee marked
    const slider = document.getElementById("s-budget");
    if (!slider || !answer.points) return;
    let marks = document.getElementById("frontier-marks");
    if (!marks) {
      marks = document.createElement("datalist");
      marks.id = "frontier-marks";
      slider.after(marks);
    }
    marks.replaceChildren(...answer.points.filter((p) => p.solved).map((p) => {
      const option = document.createElement("option");
      option.value = String(p.budget);
      if (p.budget === answer.knee) option.label = "knee";
      return option;
    }));
    slider.setAttribute("list", "frontier-marks");
    slider.dataset.knee = answer.knee == null ? "" : String(answer.knee);
  }

  async function question(url, target, body) {
    const box = document.getElementById(target);
    box.hidden = false;
    box.textContent = words.solving;
    const answer = await post(url, { sets: assignments(), ...body });
    if (answer.status === "ok" && answer.points) onTheSlider(answer);
    if (answer.status === "ok") box.innerHTML = answer.html;
    else box.textContent = (answer.message || answer.status) + (answer.problems ? " " + answer.problems.map((p) => p.message).join("; ") : "");
  }
  for (const button of document.querySelectorAll("button[data-why]")) {
    button.addEventListener("click", () => question("/api/why", "why-answer", { channel: button.dataset.why }));
  }
  document.getElementById("export").addEventListener("click", async () => {
    const response = await fetch("/api/export", { method: "POST", headers: { "Content-Type": "application/json" },
                                                  body: JSON.stringify({ file: file, sets: assignments() }),
                                                  credentials: "same-origin" });
    if (!response.ok) { showProblems(((await response.json()).problems) || []); return; }
    const name = /filename\*=UTF-8''([^;]+)/.exec(response.headers.get("content-disposition") || "");
    const link = document.createElement("a");
    link.href = URL.createObjectURL(await response.blob());
    link.download = name ? decodeURIComponent(name[1]) : "plan.zip";
    document.body.appendChild(link);
    link.click();
    link.remove();
  });
  document.getElementById("show-frontier").addEventListener("click", () => question("/api/frontier", "frontier", {}));
  document.getElementById("show-variants").addEventListener("click", () => question("/api/variants", "variants", {}));
  function showPair() {  // the two chosen plans' differences (every ordered pair came with the answer)
    const a = document.getElementById("pair-a").value, b = document.getElementById("pair-b").value;
    for (const section of document.querySelectorAll("section.variant-pair")) section.hidden = section.dataset.pair !== a + "|" + b;
    document.getElementById("pair-none").hidden = a !== b;
  }
  document.addEventListener("change", (event) => { if (event.target.id === "pair-a" || event.target.id === "pair-b") showPair(); });

  if (restore()) document.getElementById("save-status").textContent = words.restored;
  solve();
})();
