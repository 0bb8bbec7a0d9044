// Progressive enhancements of the questionnaire pages; everything still works without script,
// and the server applies the same rules when it saves and scores.
"use strict";

// A conditional question is greyed out as soon as the answer it depends on rules it out.
function followDependencies() {
  const refresh = (fieldset) => {
    const inputs = document.querySelectorAll(`[name="${fieldset.dataset.dependsOn}"]`);
    if (inputs.length === 0) return; // the question it depends on is in another section
    const wanted = fieldset.dataset.dependsOptions.split(" ");
    const chosen = Array.from(inputs).filter((i) => i.checked).map((i) => i.value);
    const visible = chosen.some((value) => wanted.includes(value));
    fieldset.classList.toggle("hidden-question", !visible);
    const note = fieldset.querySelector(".out-of-scope");
    if (note) note.hidden = visible;
  };
  document.querySelectorAll("fieldset[data-depends-on]").forEach((fieldset) => {
    document.querySelectorAll(`[name="${fieldset.dataset.dependsOn}"]`).forEach((input) => {
      input.addEventListener("change", () => refresh(fieldset));
    });
  });
}

// Leaving a section with unsaved entries asks first (links, reload, closing the tab).
function warnBeforeLosingEntries() {
  const form = document.querySelector("form.section-form");
  if (!form) return;
  let dirty = false;
  form.addEventListener("input", () => { dirty = true; });
  form.addEventListener("change", () => { dirty = true; });
  form.addEventListener("submit", () => { dirty = false; });
  window.addEventListener("beforeunload", (event) => {
    if (dirty) event.preventDefault();
  });
}

// Buttons with irreversible effects ask for confirmation (data-confirm on their form).
function confirmConsequentialActions() {
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
}

// A link to an answer inside a closed <details> opens it (results page).
function openTargetDetails() {
  const open = () => {
    const target = window.location.hash && document.getElementById(window.location.hash.slice(1));
    const details = target && target.closest("details");
    if (details) details.open = true;
    if (target) target.scrollIntoView();
  };
  window.addEventListener("hashchange", open);
  open();
}

document.addEventListener("DOMContentLoaded", () => {
  followDependencies();
  warnBeforeLosingEntries();
  confirmConsequentialActions();
  openTargetDetails();
});
