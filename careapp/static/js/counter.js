// A character counter under every field with a length limit (maxlength and data-counter):
// "120 / 2 000", highlighted near and over the limit. The server applies the same limit and
// says so when it refuses a text; this only shows it while typing. No inline script (CSP).
"use strict";

(() => {
  const locale = document.documentElement.lang || "fr";
  const format = (n) => n.toLocaleString(locale);
  // Characters as the server counts them: code points, one per line break.
  const length = (text) => Array.from(text.replace(/\r\n?/g, "\n")).length;

  const attach = (field, index) => {
    const max = Number.parseInt(field.getAttribute("maxlength"), 10);
    if (!Number.isFinite(max) || max <= 0) return;
    const counter = document.createElement("span");
    counter.className = "char-counter";
    counter.id = `${field.id || `champ-${index}`}-compteur`;
    field.setAttribute("aria-describedby",
      [field.getAttribute("aria-describedby"), counter.id].filter(Boolean).join(" "));
    field.insertAdjacentElement("afterend", counter);
    const update = () => {
      const count = length(field.value);
      counter.textContent = `${format(count)} / ${format(max)}`;
      counter.classList.toggle("near-limit", count >= max * 0.9 && count <= max);
      counter.classList.toggle("over-limit", count > max);
    };
    field.addEventListener("input", update);
    update();
  };

  document.querySelectorAll("textarea[data-counter][maxlength], input[data-counter][maxlength]")
    .forEach(attach);
})();
