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

  // The map: a caption beside the dot under the pointer or the focus; a dot answers within
  // REACH px of its centre, so however small it is drawn its target is 24 px wide (WCAG 2.2);
  // a filter shows one topic's papers. Without this script the dots are plain links with titles.
  var map = document.querySelector("svg.map");
  if (map) mapTools(map);

  function mapTools(svg) {
    var REACH = 12;
    var frame = svg.parentNode, tip = document.getElementById("map-tip"), caption = document.getElementById("map-caption");
    var select = document.getElementById("map-topic"), count = document.getElementById("map-count");
    var links = Array.prototype.slice.call(svg.querySelectorAll("a"));
    var dots = links.map(function (link) {
      var circle = link.querySelector("circle"), title = link.querySelector("title"), text = title ? title.textContent : "";
      if (title) { link.setAttribute("aria-label", text); title.remove(); } // the caption replaces the slow native tooltip
      var dot = { link: link, x: +circle.getAttribute("cx"), y: +circle.getAttribute("cy"), title: text, group: link.dataset.g || "" };
      link.litsiteDot = dot;
      return dot;
    });
    var only = "", near = null;
    var nearest = function (clientX, clientY) {
      var m = svg.getScreenCTM();
      if (!m) return null;
      var x = (clientX - m.e) / m.a, y = (clientY - m.f) / m.d, reach = REACH / m.a, best = null, bestDistance = reach * reach;
      for (var i = 0; i < dots.length; i++) {
        var dot = dots[i];
        if (only && dot.group !== only) continue;
        var dx = dot.x - x, dy = dot.y - y, distance = dx * dx + dy * dy;
        if (distance <= bestDistance) { bestDistance = distance; best = dot; }
      }
      return best;
    };
    var show = function (dot) {
      if (near && near !== dot) near.link.classList.remove("near");
      near = dot;
      if (!dot) { tip.hidden = true; return; }
      dot.link.classList.add("near");
      caption.textContent = dot.title;
      tip.textContent = dot.title;
      tip.hidden = false;
      var m = svg.getScreenCTM(), box = frame.getBoundingClientRect();
      var x = m.a * dot.x + m.e - box.left, y = m.d * dot.y + m.f - box.top;
      var width = tip.offsetWidth, height = tip.offsetHeight;
      // Beside the dot, on whichever side keeps it inside the map.
      tip.style.left = Math.max(0, x + 14 + width <= box.width ? x + 14 : x - 14 - width) + "px";
      tip.style.top = Math.max(0, y - height - 10 >= 0 ? y - height - 10 : y + 14) + "px";
      frame.dataset.tip = dot.link.getAttribute("href"); // tests wait for this
    };
    var moved = null;
    svg.addEventListener("pointermove", function (event) {
      if (!moved) requestAnimationFrame(function () { show(nearest(moved.clientX, moved.clientY)); moved = null; });
      moved = event;
    });
    svg.addEventListener("pointerleave", function () { show(null); });
    svg.addEventListener("click", function (event) {
      if (event.target.closest("a")) return; // on a dot: its own link opens
      var dot = nearest(event.clientX, event.clientY);
      if (dot) location.href = new URL(dot.link.getAttribute("href"), document.baseURI).href;
    });
    svg.addEventListener("focusin", function (event) {
      var link = event.target.closest("a");
      if (link && link.litsiteDot) show(link.litsiteDot);
    });
    svg.addEventListener("focusout", function () { tip.hidden = true; });
    if (!select) return;
    select.addEventListener("change", function () {
      only = select.value;
      var shown = 0;
      svg.classList.toggle("filtered", !!only);
      frame.classList.toggle("filtered", !!only);
      dots.forEach(function (dot) {
        var out = !!only && dot.group !== only;
        dot.link.classList.toggle("dim", out);
        if (out) { dot.link.setAttribute("tabindex", "-1"); dot.link.setAttribute("aria-hidden", "true"); }
        else { dot.link.removeAttribute("tabindex"); dot.link.removeAttribute("aria-hidden"); shown++; }
      });
      // The chosen topic's dots drawn last, over the others; every dot back in place for all topics.
      dots.forEach(function (dot) { if (!only || dot.group === only) svg.appendChild(dot.link); });
      frame.querySelectorAll(".cluster-label").forEach(function (label) {
        label.classList.toggle("shown", label.dataset.g === only);
      });
      count.textContent = only ? shown + " paper" + (shown === 1 ? "" : "s") + " with this main topic" : "";
      show(null);
    });
  }

  // Reading lists: read marks, kept in this browser only (localStorage works from file:// too).
  // One record per list page, so two sites on one host (GitHub Pages) keep theirs apart.
  var reading = document.querySelector("ol.reading-list");
  if (reading) {
    var store = "litsite-read:" + location.pathname;
    var marks = {};
    try { marks = JSON.parse(localStorage.getItem(store) || "{}") || {}; } catch (e) { marks = {}; }
    var boxes = Array.prototype.slice.call(reading.querySelectorAll("input.read-box"));
    var progress = document.getElementById("read-progress");
    var count = function () {
      var n = boxes.filter(function (box) { return box.checked; }).length;
      progress.textContent = n + " of " + boxes.length + " read.";
    };
    boxes.forEach(function (box) {
      var entry = box.closest("[data-paper]"), paper = entry.dataset.paper;
      box.checked = marks[paper] === true;
      entry.classList.toggle("is-read", box.checked);
      box.addEventListener("change", function () {
        if (box.checked) marks[paper] = true; else delete marks[paper];
        entry.classList.toggle("is-read", box.checked);
        try { localStorage.setItem(store, JSON.stringify(marks)); } catch (e) { /* private mode: not kept */ }
        count();
      });
    });
    count();
    reading.dataset.ready = "true"; // tests wait for this
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

  // The header's search box: the first results as you type (arrows, Enter, Escape), and a
  // link to all of them on the search page. The back ends load on the first keystroke.
  var STATIC = document.currentScript ? new URL(".", document.currentScript.src) : null;
  var box = document.getElementById("site-search");
  var results = document.getElementById("site-search-results");
  if (box && results && STATIC) {
    var form = box.form;
    var searchPage = new URL(form.getAttribute("action"), location.href);
    var siteRoot = new URL(".", searchPage);
    var backendReady = null, typed = null, active = -1, generation = 0;
    var INSTANT = 8;
    var load = function (name) {
      return new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = new URL(name, STATIC).href; s.onload = resolve;
        s.onerror = function () { reject(new Error("cannot load " + name)); };
        document.head.appendChild(s);
      });
    };
    var backend = function () {
      if (!backendReady) {
        backendReady = load("search-engine.js").then(function () { return load("search-meaning.js"); })
          .then(function () { return load("search-backends.js"); })
          .then(function () { return window.LitsiteBackends.open(siteRoot, JSON.parse(form.dataset.urls)); });
      }
      return backendReady;
    };
    var options = function () { return results.querySelectorAll("[role=option]"); };
    var close = function () {
      results.hidden = true; box.setAttribute("aria-expanded", "false"); box.removeAttribute("aria-activedescendant");
      active = -1;
    };
    var choose = function (n) {
      var all = options();
      if (!all.length) return;
      active = (n + all.length) % all.length;
      all.forEach(function (o, i) { o.setAttribute("aria-selected", i === active ? "true" : "false"); });
      box.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    };
    var option = function (id, href, title, detail) {
      var li = document.createElement("li");
      li.id = id; li.setAttribute("role", "option"); li.setAttribute("aria-selected", "false");
      var a = document.createElement("a");
      a.href = href; a.textContent = title; a.tabIndex = -1;
      li.appendChild(a);
      if (detail) { var p = document.createElement("span"); p.className = "excerpt"; p.innerHTML = detail; li.appendChild(p); }
      return li;
    };
    var show = function () {
      var q = box.value.trim(), id = ++generation;
      if (q.length < 2) { close(); results.textContent = ""; return; }
      backend().then(function (b) {
        var filters = { topic: [], tag: [], year: [], meaning: window.LitsiteBackends.meaningWanted(siteRoot) };
        return b.search(q, filters).then(function (found) {
          return Promise.all(found.results.slice(0, INSTANT).map(function (r) { return r.load(); })).then(function (items) {
            if (id !== generation) return;
            results.textContent = "";
            items.forEach(function (item, i) {
              results.appendChild(option("instant-" + i, item.url + "?highlight=" + encodeURIComponent(q), item.title,
                                         item.excerpt)); // excerpt: escaped by the back end, <mark> only
            });
            var all = new URL(searchPage); all.searchParams.set("q", q);
            var n = found.results.length;
            results.appendChild(option("instant-all", all.href, n ? "See all " + n + " results for “" + q + "”"
                                                               : "No paper matches “" + q + "”: search page", ""));
            results.hidden = false; box.setAttribute("aria-expanded", "true"); active = -1;
            results.dataset.total = n; // tests wait for this
          });
        });
      }).catch(function () { close(); }); // no back end: Enter still goes to the search page
    };
    box.addEventListener("input", function () { clearTimeout(typed); typed = setTimeout(show, 120); });
    box.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (results.hidden) return;
        event.preventDefault();
        choose(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && active >= 0 && !results.hidden) {
        event.preventDefault();
        location.href = options()[active].querySelector("a").href;
      } else if (event.key === "Escape" && !results.hidden) {
        event.preventDefault();
        close();
      }
    });
    form.addEventListener("focusout", function (event) {
      if (!form.contains(event.relatedTarget)) close();
    });
  }

  // A paper opened from a search result: mark the query's words in its title and abstract.
  var asked = new URLSearchParams(location.search).get("highlight");
  var article = document.querySelector("article.paper");
  if (asked && article) {
    var terms = asked.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(function (w) { return w.length >= 3; });
    if (terms.length) {
      var pattern = new RegExp("(?<![\\p{L}\\p{N}])(" + terms.map(function (w) {
        return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      }).join("|") + ")", "giu");
      article.querySelectorAll("h1, .abstract").forEach(function (block) {
        var walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT), nodes = [];
        while (walker.nextNode()) nodes.push(walker.currentNode);
        nodes.forEach(function (node) {
          var parts = node.nodeValue.split(pattern);
          if (parts.length < 2) return;
          var fragment = document.createDocumentFragment();
          parts.forEach(function (part, i) {
            if (i % 2) { var mark = document.createElement("mark"); mark.className = "hit"; mark.textContent = part; fragment.appendChild(mark); }
            else if (part) fragment.appendChild(document.createTextNode(part));
          });
          node.parentNode.replaceChild(fragment, node);
        });
      });
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var active = document.activeElement;
    if (active && (active.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName))) return;
    var box = document.getElementById("search-query") || document.getElementById("site-search");
    if (box) { event.preventDefault(); box.focus(); box.select(); }
  });
})();
