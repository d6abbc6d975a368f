// Pages' side of working without a connection (kordon.core.offline): register the service
// worker, send the forms it kept once the node answers again, and show what waits or was refused.
"use strict";
(() => {
  const body = document.body;
  const texts = document.getElementById("offline");
  if (!body.dataset.user || !texts || !("serviceWorker" in navigator) || !window.indexedDB) return;
  navigator.serviceWorker.register(texts.dataset.worker, { scope: "/" });
  let sending = false;

  function path(url) {
    return new URL(url, location.href).pathname;
  }

  function showUnreachable(unreachable) {
    document.getElementById("offline-banner").hidden = !unreachable;
  }

  // Why the node did not take the form, from its answer; none when it did. It took the form when
  // it answered with another page (the new record, the alert acted on) showing no error message;
  // otherwise the answer is the form again with its errors, or an error page.
  async function refusal(form, response) {
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const messages = Array.from(page.querySelectorAll("main > .alert-danger[role=status]"));
    const took = response.ok && response.redirected && path(response.url) !== path(form.url);
    if (took && !messages.length) return [];
    const found = [...messages, ...page.querySelectorAll(".invalid-feedback, .errorlist li")]
      .map((element) => element.textContent.trim())
      .filter(Boolean);
    return found.length ? found : [`${texts.dataset.refused} (HTTP ${response.status})`];
  }

  // Each kept form of the officer logged in, in the order written, with a token of this session.
  async function send() {
    if (sending) return;
    sending = true;
    try {
      let session;
      try {
        // Not following a redirect to the log-in page, which would set a new form token.
        const answer = await fetch(texts.dataset.token, { credentials: "same-origin", redirect: "manual" });
        if (!answer.ok) return; // logged out: sent after the next log-in
        session = await answer.json();
        showUnreachable(false);
      } catch (unreachable) {
        showUnreachable(true);
        return;
      }
      await KordonStore.setMeta("user", session.user);
      for (const form of await KordonStore.all()) {
        if (form.user !== session.user || form.refused.length) continue;
        const data = new FormData();
        for (const [name, value] of form.fields) {
          data.append(name, name === "csrfmiddlewaretoken" ? session.csrf : value);
        }
        let response;
        try {
          response = await fetch(form.url, { method: "POST", body: data, credentials: "same-origin" });
        } catch (unreachable) {
          showUnreachable(true);
          break;
        }
        if (path(response.url).startsWith(texts.dataset.login)) break; // the session ended meanwhile
        form.refused = await refusal(form, response);
        if (form.refused.length) {
          await KordonStore.update(form);
        } else {
          await KordonStore.remove(form.id);
        }
      }
    } finally {
      sending = false;
      await show();
    }
  }

  function kindOf(form) {
    const kinds = Array.from(document.querySelectorAll("#offline-kinds [data-prefix]"));
    const kind = kinds.find((element) => path(form.url).startsWith(element.dataset.prefix));
    const fields = new Map(form.fields);
    const name = fields.get("reference") || fields.get("title") || fields.get("subject") || "";
    return [kind ? kind.textContent : path(form.url), name].filter(Boolean).join(" · ");
  }

  // What the officer entered, as the form showed it: each field's label and the chosen option's
  // text, read from the copy of the form page the worker kept. Fields left as the blank form had
  // them, and the form's hidden fields, are left out.
  async function entered(form) {
    const kept = await caches.match(form.url);
    const blank = kept ? new DOMParser().parseFromString(await kept.text(), "text/html") : null;
    const rows = [];
    for (const [name, value] of form.fields) {
      if (name === "csrfmiddlewaretoken" || typeof value !== "string" || !value) continue;
      const field = blank && blank.querySelector(`[name="${CSS.escape(name)}"]`);
      if (!field) {
        if (!blank) rows.push([name, value]);
        continue;
      }
      if (field.type === "hidden" || field.value === value) continue;
      const option = field.tagName === "SELECT" && Array.from(field.options).find((o) => o.value === value);
      rows.push([labelOf(blank, field) || name, option ? option.textContent.trim() : value]);
    }
    return rows;
  }

  // A field's label, or for a field in a table (a seizure's items) its column's heading.
  function labelOf(page, field) {
    const label = field.id && page.querySelector(`label[for="${CSS.escape(field.id)}"]`);
    if (label) return label.textContent.trim();
    const cell = field.closest("td");
    const heading = cell && cell.closest("table").querySelectorAll("thead th")[cell.cellIndex];
    return heading ? heading.textContent.trim() : "";
  }

  function element(tag, text, className) {
    const made = document.createElement(tag);
    if (text !== undefined) made.textContent = text;
    if (className) made.className = className;
    return made;
  }

  // The count in the menu, and on the page of kept forms each of them. Text only, never markup:
  // the values are what an officer typed.
  async function show() {
    const forms = await KordonStore.all();
    const waiting = document.getElementById("offline-waiting");
    if (waiting) {
      waiting.hidden = forms.length === 0;
      waiting.querySelector("[data-offline-count]").textContent = forms.length;
    }
    const list = document.getElementById("offline-forms");
    if (!list) return;
    document.getElementById("offline-none").hidden = forms.length > 0;
    list.replaceChildren();
    for (const form of forms) {
      const item = element("li", undefined, "list-group-item");
      item.dataset.form = form.id;
      item.append(element("strong", kindOf(form)));
      item.append(element("span", ` · ${new Date(form.at).toLocaleString()} · ${form.user}`, "text-muted small"));
      if (form.refused.length) {
        const refused = element("div", texts.dataset.refusedHeading, "text-danger mt-1 fw-semibold");
        const why = element("ul", undefined, "text-danger mb-1 offline-refused");
        for (const reason of form.refused) why.append(element("li", reason));
        item.append(refused, why);
      } else {
        item.append(element("div", texts.dataset.waiting, "text-muted mt-1"));
      }
      const values = element("details", undefined, "small");
      values.append(element("summary", texts.dataset.values));
      const table = element("dl", undefined, "row mb-0");
      for (const [label, value] of await entered(form)) {
        table.append(element("dt", label, "col-sm-3"), element("dd", value, "col-sm-9"));
      }
      values.append(table);
      const discard = element("button", texts.dataset.discard, "btn btn-sm btn-outline-danger mt-1");
      discard.type = "button";
      discard.addEventListener("click", async () => {
        if (window.confirm(texts.dataset.discardQuestion)) {
          await KordonStore.remove(form.id);
          await show();
        }
      });
      item.append(values, discard);
      list.append(item);
    }
  }

  const sendNow = document.getElementById("offline-send");
  if (sendNow) sendNow.addEventListener("click", send);
  const kept = document.getElementById("offline-kept");
  if (kept) kept.hidden = !new URLSearchParams(location.search).has("kept");
  window.addEventListener("online", send);
  send();
})();
