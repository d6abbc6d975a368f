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

  // What the node said when it did not take the form: the form's errors, or its status.
  async function reasons(response) {
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const found = Array.from(page.querySelectorAll(".invalid-feedback, .errorlist li, .alert-danger"))
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
        const landed = path(response.url);
        if (landed.startsWith(texts.dataset.login)) break; // the session ended meanwhile
        if (response.ok && response.redirected && landed !== path(form.url)) {
          await KordonStore.remove(form.id); // the node took it and showed its new page
        } else {
          form.refused = await reasons(response);
          await KordonStore.update(form);
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
      for (const [name, value] of form.fields) {
        if (name === "csrfmiddlewaretoken" || typeof value !== "string" || !value) continue;
        table.append(element("dt", name, "col-sm-3"), element("dd", value, "col-sm-9"));
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
