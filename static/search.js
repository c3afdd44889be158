/* litsite search page.
   Served over http(s) it uses Pagefind; opened from file:// (or if Pagefind can't load) it
   uses search-index.js, a script-loaded index made by `litsite build`, queried by
   search-engine.js. Both back ends give
   the same thing to the same UI: results, and facet counts for topics and tags.
   The query and ticked facets live in the URL, so a search can be shared. */
(function () {
  "use strict";

  var PAGE_SIZE = 50; // rendering thousands of results costs seconds; show more on request
  var FACETS = [["topic", "Topics"], ["tag", "Tags"], ["year", "Year"]];
  var root = new URL(".", location.href); // search.html sits at the site root
  var input = document.getElementById("search-query");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var facetsBox = document.getElementById("search-facets");
  var filtersPanel = document.getElementById("search-filters");
  var clearButton = document.getElementById("clear-filters");
  var meaningSwitch = document.getElementById("search-meaning"); // absent when site.yaml turns meaning search off
  // URL patterns from site/urls.py, written into the page by the build ('{}' is the slug).
  var urls = JSON.parse(document.getElementById("search-urls").textContent);
  function urlFor(pattern, slug) { return new URL(pattern.replace("{}", encodeURIComponent(slug)), root).href; }
  var topicTitles = {}, tagNames = {};
  JSON.parse(document.getElementById("search-topics").textContent).forEach(function (pair) {
    topicTitles[pair[0]] = pair[1];
  });
  JSON.parse(document.getElementById("search-tags").textContent).forEach(function (pair) {
    tagNames[pair[0]] = pair[1];
  });
  function nameOf(facet, key) {
    return facet === "topic" ? (topicTitles[key] || key) : facet === "tag" ? (tagNames[key] || key) : key;
  }
  function activeFilters() {
    var parts = [];
    FACETS.forEach(function (facet) {
      state[facet[0]].forEach(function (key) { parts.push(facet[0] + " " + nameOf(facet[0], key)); });
    });
    return parts;
  }

  var state = readUrl();
  var backend = null;
  var shown = PAGE_SIZE;
  var lastResults = [];
  var timer = null;
  var runId = 0;

  // The page a result opens marks the query's words (site.js reads ?highlight=).
  function highlightFor(q) { return q.trim() ? "?highlight=" + encodeURIComponent(q.trim()) : ""; }

  function readUrl() {
    var params = new URLSearchParams(location.search);
    return { q: params.get("q") || "", topic: params.getAll("topic"), tag: params.getAll("tag"),
             year: params.getAll("year"), meaning: window.LitsiteBackends.meaningWanted(root, params) };
  }

  function writeUrl() {
    var params = new URLSearchParams();
    if (state.q) params.set("q", state.q);
    state.topic.forEach(function (v) { params.append("topic", v); });
    state.tag.forEach(function (v) { params.append("tag", v); });
    state.year.forEach(function (v) { params.append("year", v); });
    if (meaningSwitch && !state.meaning) params.set("meaning", "off");
    var query = params.toString();
    try { history.replaceState(null, "", query ? "?" + query : location.pathname); } catch (e) { /* file:// in some browsers */ }
  }

  /* ---- the UI ---------------------------------------------------------------------- */
  function renderFacets(counts) {
    // The boxes are made again for the new counts: the one that had focus gets it back.
    var focused = document.activeElement && facetsBox.contains(document.activeElement) ? document.activeElement : null;
    var refocus = focused ? [focused.name, focused.value] : null;
    facetsBox.textContent = "";
    FACETS.forEach(function (facet) {
      var name = facet[0], values = counts[name] || {};
      var keys = Object.keys(values).filter(function (k) { return values[k] > 0 || state[name].indexOf(k) >= 0; });
      state[name].forEach(function (k) { if (keys.indexOf(k) < 0) keys.push(k); });
      if (!keys.length) return;
      keys.sort(name === "year" ? function (a, b) { return b.localeCompare(a); }
                                : function (a, b) { return (values[b] || 0) - (values[a] || 0) || a.localeCompare(b); });
      var fieldset = document.createElement("fieldset");
      var legend = document.createElement("legend");
      legend.textContent = facet[1];
      fieldset.appendChild(legend);
      keys.forEach(function (key) {
        var label = document.createElement("label");
        var box = document.createElement("input");
        box.type = "checkbox"; box.name = name; box.value = key;
        box.checked = state[name].indexOf(key) >= 0;
        box.addEventListener("change", function () {
          var list = state[name];
          if (box.checked) list.push(key); else list.splice(list.indexOf(key), 1);
          run();
        });
        var text = document.createElement("span");
        text.textContent = nameOf(name, key) + " ";
        var count = document.createElement("span");
        count.className = "count";
        count.dataset.count = values[key] || 0;
        count.textContent = "(" + (values[key] || 0) + ")";
        text.appendChild(count);
        label.appendChild(box); label.appendChild(text);
        fieldset.appendChild(label);
      });
      facetsBox.appendChild(fieldset);
    });
    var active = activeFilters().length;
    filtersPanel.hidden = !facetsBox.children.length && !meaningSwitch; // the switch stays in reach, results or not
    filtersPanel.querySelector("summary").textContent = "Filters" + (active ? " (" + active + ")" : "");
    clearButton.hidden = !active;
    if (refocus) {
      var again = facetsBox.querySelector("input[name='" + refocus[0] + "'][value='" + CSS.escape(refocus[1]) + "']");
      if (again) again.focus();
    }
  }

  function renderResults(results, id) {
    list.textContent = "";
    var slice = results.slice(0, shown);
    return Promise.all(slice.map(function (r) { return r.load(); })).then(function (items) {
      if (id !== runId) return;
      items.forEach(function (item) {
        var li = document.createElement("li");
        var link = document.createElement("a");
        link.href = item.url + highlightFor(state.q); link.textContent = item.title; link.className = "paper-title";
        li.appendChild(link);
        if (item.byMeaning) { // none of the query's words: say why it is here
          var why = document.createElement("p");
          why.className = "by-meaning"; why.textContent = "Found by meaning";
          li.appendChild(why);
        }
        var excerpt = document.createElement("p");
        excerpt.className = "excerpt";
        excerpt.innerHTML = item.excerpt; // escaped by the back end; only <mark> is markup
        li.appendChild(excerpt);
        if (item.tags.length) {
          var chips = document.createElement("ul");
          chips.className = "chips"; chips.setAttribute("aria-label", "Tags");
          item.tags.slice(0, 6).forEach(function (tag) {
            var chip = document.createElement("li");
            var a = document.createElement("a");
            a.href = urlFor(urls.tag, tag); a.textContent = tagNames[tag] || tag;
            chip.appendChild(a); chips.appendChild(chip);
          });
          li.appendChild(chips);
        }
        list.appendChild(li);
      });
      if (results.length > shown) {
        var more = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button"; button.textContent = "Show more results";
        button.addEventListener("click", function () { shown += PAGE_SIZE; renderResults(lastResults, runId); });
        more.className = "more"; more.appendChild(button); list.appendChild(more);
      }
    });
  }

  function run() {
    var id = ++runId;
    shown = PAGE_SIZE;
    writeUrl();
    var q = state.q.trim();
    if (!q && !state.topic.length && !state.tag.length && !state.year.length) {
      status.textContent = "Type to search titles, authors, abstracts, tags and topics.";
      list.textContent = ""; facetsBox.textContent = ""; filtersPanel.hidden = true;
      status.dataset.total = 0;
      return Promise.resolve();
    }
    var started = performance.now();
    return backend.search(q, state).then(function (found) {
      if (id !== runId) return;
      status.dataset.ms = (performance.now() - started).toFixed(1); // the query itself, for benchmarks
      lastResults = found.results;
      var n = found.results.length;
      var byMeaning = found.results.filter(function (r) { return r.byMeaning; }).length;
      var filters = activeFilters();
      status.textContent = n + (n === 1 ? " result" : " results") +
        (found.corrected ? " for “" + found.corrected + "” (nothing matched “" + q + "”)" : q ? " for “" + q + "”" : "") +
        (byMeaning ? ", " + (byMeaning === n ? "all" : byMeaning) + " found by meaning" : "") +
        (filters.length ? ", filtered by " + filters.join(", ") : "") +
        (backend.name === "offline" ? " (offline search)" : "") +
        (!n && q && meaningSwitch && !state.meaning ? ". Search by meaning is off (see Filters)." : "");
      status.dataset.backend = backend.name;
      if (found.corrected) status.dataset.corrected = found.corrected; else delete status.dataset.corrected;
      renderFacets(found.counts);
      return renderResults(found.results, id).then(function () {
        if (id === runId) status.dataset.total = n; // tests and tools wait for this
      });
    });
  }

  clearButton.addEventListener("click", function () {
    state.topic = []; state.tag = []; state.year = [];
    run().then(function () { filtersPanel.querySelector("summary").focus(); });
  });

  if (meaningSwitch) {
    meaningSwitch.checked = state.meaning;
    meaningSwitch.addEventListener("change", function () {
      state.meaning = meaningSwitch.checked;
      window.LitsiteBackends.rememberMeaning(root, state.meaning);
      run();
    });
  } else {
    state.meaning = false;
  }

  input.value = state.q;
  input.addEventListener("input", function () {
    state.q = input.value;
    clearTimeout(timer);
    timer = setTimeout(run, 150);
  });
  input.form.addEventListener("submit", function (event) { event.preventDefault(); state.q = input.value; run(); });

  window.LitsiteBackends.open(root, urls).then(function (chosen) {
    backend = chosen;
    document.body.dataset.searchReady = chosen.name;
    return run();
  }).catch(function (error) {
    status.textContent = "Search could not start: " + error.message;
  });
})();
