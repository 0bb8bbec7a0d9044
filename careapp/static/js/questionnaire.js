// Shows or greys out a conditional question as soon as the answer it depends on changes.
// Progressive enhancement only: the server applies the same rule when it saves and scores.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const dependants = document.querySelectorAll("fieldset[data-depends-on]");
  const refresh = (fieldset) => {
    const name = fieldset.dataset.dependsOn;
    const wanted = fieldset.dataset.dependsOptions.split(" ");
    const inputs = document.querySelectorAll(`[name="${name}"]`);
    if (inputs.length === 0) return; // the question it depends on is in another section
    const chosen = Array.from(inputs).filter((i) => i.checked).map((i) => i.value);
    const visible = chosen.some((value) => wanted.includes(value));
    fieldset.classList.toggle("hidden-question", !visible);
    const note = fieldset.querySelector(".out-of-scope");
    if (note) note.hidden = visible;
  };
  dependants.forEach((fieldset) => {
    document.querySelectorAll(`[name="${fieldset.dataset.dependsOn}"]`).forEach((input) => {
      input.addEventListener("change", () => refresh(fieldset));
    });
  });
});
