/* litsite: small enhancements. Every page works without this file. */
(function () {
  "use strict";
  var root = document.documentElement;

  var toggle = document.querySelector(".theme-toggle");
  if (toggle) {
    var current = function () {
      return root.dataset.theme || (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
    };
    var label = function () {
      var next = current() === "dark" ? "light" : "dark";
      toggle.textContent = next === "dark" ? "Dark" : "Light";
      toggle.setAttribute("aria-label", "Switch to " + next + " theme");
    };
    toggle.hidden = false;
    label();
    toggle.addEventListener("click", function () {
      var next = current() === "dark" ? "light" : "dark";
      root.dataset.theme = next;
      try { localStorage.setItem("litsite-theme", next); } catch (e) { /* private mode: not persisted */ }
      label();
    });
  }

  document.querySelectorAll("button.copy").forEach(function (button) {
    var target = document.getElementById(button.dataset.copy);
    if (!target || !navigator.clipboard) return;
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(target.textContent.trim()).then(function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = label; }, 1500);
      });
    });
  });

  // The map's dots carry their titles in <title>, shown on hover; keyboard focus shows it here.
  var caption = document.getElementById("map-caption");
  if (caption) {
    document.querySelector(".map").addEventListener("focusin", function (event) {
      var link = event.target.closest("a");
      var title = link && link.querySelector("title");
      if (title) caption.textContent = title.textContent;
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var active = document.activeElement;
    if (active && (active.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName))) return;
    var box = document.getElementById("search-query") || document.getElementById("site-search");
    if (box) { event.preventDefault(); box.focus(); box.select(); }
  });
})();
