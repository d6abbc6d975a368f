// Behaviour shared by all pages. Event handlers live here, never in attributes: the Content
// Security Policy refuses inline script (kordon.core.headers).
"use strict";

// A form with data-confirm asks before it is sent ("Delete this seizure?").
document.addEventListener("submit", (event) => {
  const question = event.target.dataset ? event.target.dataset.confirm : undefined;
  if (question && !window.confirm(question)) event.preventDefault();
});
