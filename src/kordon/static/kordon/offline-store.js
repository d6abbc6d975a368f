// The forms kept while the node could not be reached, in the browser's IndexedDB: shared by the
// service worker (which keeps them) and the pages (which send and show them). kordon.core.offline
"use strict";
const KordonStore = (() => {
  function open() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open("kordon-offline", 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore("forms", { keyPath: "id", autoIncrement: true });
        request.result.createObjectStore("meta");
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  async function run(store, mode, work) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(store, mode);
      const request = work(transaction.objectStore(store));
      transaction.oncomplete = () => { db.close(); resolve(request ? request.result : undefined); };
      transaction.onerror = () => { db.close(); reject(transaction.error); };
    });
  }
  return {
    keep: (form) => run("forms", "readwrite", (forms) => forms.add(form)),
    update: (form) => run("forms", "readwrite", (forms) => forms.put(form)),
    remove: (id) => run("forms", "readwrite", (forms) => forms.delete(id)),
    all: () => run("forms", "readonly", (forms) => forms.getAll()),
    meta: (key) => run("meta", "readonly", (meta) => meta.get(key)),
    setMeta: (key, value) => run("meta", "readwrite", (meta) => meta.put(value, key)),
  };
})();
