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

  // Listings: filter the papers of this page by words, and sort them (title, year, added).
  var tools = document.querySelector(".list-tools");
  var list = document.getElementById("paper-list");
  if (tools && list) {
    var items = Array.prototype.slice.call(list.children);
    var filter = document.getElementById("list-filter");
    var sort = document.getElementById("list-sort");
    var status = document.getElementById("list-status");
    var text = items.map(function (item) { return item.textContent.toLowerCase(); });
    var titleOf = function (item) { return item.querySelector(".paper-title").textContent.trim(); };
    var orders = {
      title: function (a, b) { return titleOf(a).localeCompare(titleOf(b)); },
      year: function (a, b) { return (b.dataset.year || 0) - (a.dataset.year || 0); },
      added: function (a, b) { return (b.dataset.added || "").localeCompare(a.dataset.added || ""); }
    };
    var update = function () {
      var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      items.forEach(function (item, i) {
        var match = words.every(function (w) { return text[i].indexOf(w) >= 0; });
        item.hidden = !match;
        shown += match ? 1 : 0;
      });
      var scope = status.dataset.scope ? " " + status.dataset.scope : "";
      status.textContent = words.length ? shown + " of " + items.length + " papers" + scope + " match" : "";
    };
    var reorder = function () {
      var order = orders[sort.value];
      var sorted = order ? items.slice().sort(function (a, b) { return order(a, b) || items.indexOf(a) - items.indexOf(b); }) : items;
      sorted.forEach(function (item) { list.appendChild(item); });
    };
    filter.addEventListener("input", update);
    sort.addEventListener("change", reorder);
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var active = document.activeElement;
    if (active && (active.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName))) return;
    var box = document.getElementById("search-query") || document.getElementById("site-search");
    if (box) { event.preventDefault(); box.focus(); box.select(); }
  });
})();
