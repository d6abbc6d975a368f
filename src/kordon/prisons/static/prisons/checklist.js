// The audit checklist on a tablet: every answer is kept in the browser's storage at once and
// sent when there is a connection, so an audit goes on where the network does not reach.
"use strict";
(function () {
  const root = document.getElementById("checklist");
  if (!root) return;
  const editable = root.dataset.editable === "1";
  const status = document.getElementById("sync-status");
  const storeKey = "kordon.audit." + root.dataset.audit;
  const text = (name) => root.dataset["text" + name];
  let state = load();
  let sending = false;

  function fresh() { return { user: root.dataset.user, answers: {}, evidence: [] }; }

  function load() {
    try { return JSON.parse(localStorage.getItem(storeKey)) || fresh(); } catch (error) { return fresh(); }
  }

  function save() {
    try { localStorage.setItem(storeKey, JSON.stringify(state)); return true; } catch (error) { show(text("Full"), "danger"); return false; }
  }

  function field(name) { return root.querySelectorAll('[name="' + CSS.escape(name) + '"]'); }

  function valueOf(name) {
    for (const input of field(name)) {
      if (input.type !== "radio" || input.checked) return input.value;
    }
    return "";
  }

  function findingOf(name) {
    const box = field(name + "__finding")[0];
    return box ? box.value : "";
  }

  function restore() {
    // Answers the tablet still has to send win over the page; offline, the page may be an
    // older copy, so everything the tablet knows wins.
    for (const [name, answer] of Object.entries(state.answers)) {
      if (!answer.pending && navigator.onLine) continue;
      for (const input of field(name)) {
        if (input.type === "radio") input.checked = input.value === answer.value;
        else input.value = answer.value;
      }
      const box = field(name + "__finding")[0];
      if (box) box.value = answer.finding;
    }
  }

  function pending() { return Object.entries(state.answers).filter(([, answer]) => answer.pending); }

  function show(message, tone) {
    status.textContent = message;
    status.className = "alert alert-" + tone + " py-2 sync-bar";
  }

  function render() {
    for (const item of root.querySelectorAll(".checklist-item")) {
      const answer = state.answers[item.dataset.item];
      const problem = (answer && answer.problem) || "";
      item.classList.toggle("has-problem", Boolean(problem));
      item.querySelector(".item-problem").textContent = problem;
    }
    if (!editable) return;
    if (!mine()) { show(text("OtherUser"), "warning"); return; }
    const waiting = pending().length + state.evidence.length;
    if (waiting === 0) show(text("Sent"), "success");
    else if (!navigator.onLine) show(text("Offline") + " " + text("Pending") + " " + waiting, "warning");
    else show(text("Pending") + " " + waiting, "secondary");
  }

  // Answers are sent only by the person who gave them: on a shared tablet, someone else's
  // answers are never sent under the current session.
  function mine() { return !state.user || state.user === root.dataset.user; }

  async function send() {
    if (!mine()) { show(text("OtherUser"), "warning"); return; }
    if (!editable || sending || !navigator.onLine) { render(); return; }
    const answers = pending();
    // One photo per request: a batch kept for days offline would not fit in one.
    const evidence = state.evidence.slice(0, 1);
    if (answers.length === 0 && evidence.length === 0) { render(); return; }
    sending = true;
    show(text("Sending"), "secondary");
    try {
      const response = await fetch(root.dataset.endpoint, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": root.dataset.csrf },
        body: JSON.stringify({
          answers: answers.map(([name, answer]) => ({ item: name, value: answer.value, finding: answer.finding })),
          evidence: evidence,
        }),
      });
      if (response.redirected || response.status === 403) { sending = false; show(text("Login"), "warning"); return; }
      const result = await response.json().catch(() => ({}));
      if (response.status === 409) { sending = false; show(result.error || text("Closed"), "danger"); return; }
      if (!response.ok) { sending = false; show(text("Failed"), "warning"); return; }
      for (const [name, answer] of answers) {
        // An answer changed while this batch was on its way stays pending.
        if (state.answers[name] === answer) {
          answer.pending = false;
          answer.problem = (result.problems || {})[name] || "";
        }
      }
      const stored = new Set(result.evidence || []);
      state.evidence = state.evidence.filter((file) => !stored.has(file.key));
      save();
    } catch (error) {
      // No network after all: everything stays on the tablet for the next try.
      sending = false;
      render();
      return;
    }
    sending = false;
    render();
    if (pending().length || state.evidence.length) send();
  }

  function newKey() {
    return window.crypto && crypto.randomUUID ? crypto.randomUUID() : Date.now() + "-" + Math.random().toString(16).slice(2);
  }

  async function shrink(file) {
    // Photos are made smaller on the tablet: the browser's storage holds a few megabytes.
    try {
      const image = await createImageBitmap(file);
      const scale = Math.min(1, 1600 / Math.max(image.width, image.height));
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(image.width * scale);
      canvas.height = Math.round(image.height * scale);
      canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
      return { type: "image/jpeg", data: canvas.toDataURL("image/jpeg", 0.75) };
    } catch (error) {
      const data = await new Promise((resolve, reject) => {
        const reader = new FileReader();
        reader.onload = () => resolve(reader.result);
        reader.onerror = reject;
        reader.readAsDataURL(file);
      });
      return { type: file.type || "application/octet-stream", data: data };
    }
  }

  async function addPhoto(input) {
    const file = input.files[0];
    if (!file) return;
    const shrunk = await shrink(file);
    state.evidence.push({ key: newKey(), item: input.dataset.photoFor, name: file.name, type: shrunk.type, data: shrunk.data });
    if (!save()) state.evidence.pop();
    input.value = "";
    render();
    send();
  }

  root.addEventListener("change", (event) => {
    const target = event.target;
    if (!editable || !mine()) { render(); return; }
    if (target.dataset.photoFor) { addPhoto(target); return; }
    if (!target.name) return;
    const name = target.name.replace(/__finding$/, "");
    state.answers[name] = { value: valueOf(name), finding: findingOf(name), pending: true, problem: "" };
    save();
    render();
    send();
  });

  async function forget() {
    // A tablet shared between auditors keeps nothing of this audit once asked to.
    if ((pending().length || state.evidence.length) && !window.confirm(text("Unsent"))) return;
    localStorage.removeItem(storeKey);
    state = fresh();
    if (window.caches) {
      for (const name of await caches.keys()) await (await caches.open(name)).delete(location.href);
    }
    show(text("Forgotten"), "secondary");
  }

  document.getElementById("forget-tablet").addEventListener("click", forget);
  window.addEventListener("online", send);
  window.addEventListener("offline", render);
  setInterval(send, 30000);

  if ("serviceWorker" in navigator && editable) {
    navigator.serviceWorker.register(root.dataset.worker).then(() => navigator.serviceWorker.ready).then((registration) => {
      // Keep this page and what it loads, for the next time it is opened without a connection.
      const urls = [location.href, ...Array.from(document.querySelectorAll("link[rel=stylesheet], script[src]"), (el) => el.href || el.src)];
      registration.active.postMessage({ keep: urls });
    }).catch(() => {});
  }

  // What another user left with nothing unsent is simply theirs no longer.
  if (!mine() && !pending().length && !state.evidence.length) state = fresh();
  if (mine()) restore();
  render();
  send();
})();
