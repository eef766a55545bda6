// Rekindle's only script: confirmations, copy buttons, closing the menu. No inline JS (CSP).
"use strict";

document.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target : null;
  const confirmer = target && target.closest("[data-confirm]");
  if (confirmer && !window.confirm(confirmer.getAttribute("data-confirm"))) {
    event.preventDefault();
    return;
  }
  const copier = target && target.closest("[data-copy]");
  if (copier) {
    const field = document.getElementById(copier.getAttribute("data-copy"));
    if (field) {
      field.select();
      navigator.clipboard.writeText(field.value).then(() => {
        copier.textContent = copier.getAttribute("data-copied") || copier.textContent;
      }, () => {});
    }
  }
  const menu = document.querySelector("details.menu[open]");
  if (menu && target && !menu.contains(target)) menu.removeAttribute("open");
});

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const menu = document.querySelector("details.menu[open]");
  if (menu) {
    menu.removeAttribute("open");
    menu.querySelector("summary").focus();
  }
});
