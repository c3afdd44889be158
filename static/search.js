/* litsite search page.
   Served over http(s) it uses Pagefind; opened from file:// (or if Pagefind can't load) it
   uses search-index.js, a script-loaded index made by `litsite build`. Both back ends give
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
  var topicTitles = {};
  JSON.parse(document.getElementById("search-topics").textContent).forEach(function (pair) {
    topicTitles[pair[0]] = pair[1];
  });

  var state = readUrl();
  var backend = null;
  var shown = PAGE_SIZE;
  var lastResults = [];
  var timer = null;
  var runId = 0;

  function readUrl() {
    var params = new URLSearchParams(location.search);
    return { q: params.get("q") || "", topic: params.getAll("topic"), tag: params.getAll("tag"),
             year: params.getAll("year") };
  }

  function writeUrl() {
    var params = new URLSearchParams();
    if (state.q) params.set("q", state.q);
    state.topic.forEach(function (v) { params.append("topic", v); });
    state.tag.forEach(function (v) { params.append("tag", v); });
    state.year.forEach(function (v) { params.append("year", v); });
    var query = params.toString();
    try { history.replaceState(null, "", query ? "?" + query : location.pathname); } catch (e) { /* file:// in some browsers */ }
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  /* ---- back end 1: Pagefind (needs a web server) ---------------------------------- */
  function pagefindBackend() {
    return import(new URL("pagefind/pagefind.js", root).href).then(function (pagefind) {
      return pagefind.options({ excerptLength: 30 }).then(function () { return pagefind.init(); }).then(function () {
        return pagefind.filters(); // loads the filter index, so searches report live counts
      }).then(function () {
        return {
          name: "pagefind",
          search: function (q, filters) {
            var options = { filters: {} };
            if (filters.topic.length) options.filters.topic = { all: filters.topic };
            if (filters.tag.length) options.filters.tag = { all: filters.tag };
            if (filters.year.length) options.filters.year = { any: filters.year };
            if (!q) options.sort = { added: "desc" };
            return pagefind.search(q || null, options).then(function (search) {
              var f = search.filters || {};
              var counts = { topic: f.topic || {}, tag: f.tag || {}, year: f.year || {} };
              var results = search.results.map(function (r) {
                return { load: function () {
                  return r.data().then(function (d) {
                    return { url: new URL(d.url.replace(/^\//, ""), root).href, title: d.meta.title || d.url,
                             excerpt: d.excerpt, tags: (d.filters && d.filters.tag) || [] };
                  });
                } };
              });
              return { results: results, counts: counts };
            });
          }
        };
      });
    });
  }

  /* ---- back end 2: the script-loaded fallback index (works from file://) ------------ */
  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src; s.onload = resolve; s.onerror = function () { reject(new Error("cannot load " + src)); };
      document.head.appendChild(s);
    });
  }

  function tokens(text) {
    var words = text.toLowerCase().normalize("NFD").replace(/\p{M}/gu, "").match(/[\p{L}\p{N}]+/gu) || [];
    return words.filter(function (w) { return w.length > 1; });
  }

  function fallbackBackend() {
    var ready = window.LITSITE_SEARCH ? Promise.resolve() : loadScript(new URL("search-index.js", root).href);
    return ready.then(function () { return makeFallback(window.LITSITE_SEARCH); });
  }

  function decode(postings) {
    var ids = [], previous = 0;
    if (!postings) return ids;
    postings.split(".").forEach(function (gap) { previous += parseInt(gap, 36); ids.push(previous); });
    return ids;
  }

  function makeFallback(index) {
    var words = index.words ? index.words.split(" ") : [];
    var stop = new Set(index.stop);
    var docs = index.docs;
    var decoded = { title: new Map(), body: new Map() }; // postings are decoded once, when first needed
    var titleText = []; // normalised titles, for the exact-title boost
    var withTag = null, withTopic = null;

    function postings(field, w) {
      var ids = decoded[field].get(w);
      if (!ids) { ids = decode(index[field][w]); decoded[field].set(w, ids); }
      return ids;
    }

    function members() { // doc ids per tag and per topic, built on the first search
      if (withTag) return;
      withTag = index.tags.map(function () { return []; });
      withTopic = index.topics.map(function () { return []; });
      docs.forEach(function (doc, id) {
        doc[3].forEach(function (t) { withTopic[t].push(id); });
        doc[4].forEach(function (t) { withTag[t].push(id); });
      });
    }

    function normalTitle(id) {
      if (titleText[id] === undefined) titleText[id] = " " + tokens(docs[id][1]).join(" ") + " ";
      return titleText[id];
    }

    function prefixRange(prefix) {
      var lo = 0, hi = words.length;
      var exactOnly = prefix.length < 3; // 'ti' would expand to hundreds of words and match everything
      while (lo < hi) { var mid = (lo + hi) >> 1; if (words[mid] < prefix) lo = mid + 1; else hi = mid; }
      var start = lo;
      if (exactOnly) return words[lo] === prefix ? [lo, lo + 1] : [lo, lo];
      while (lo < words.length && words[lo].lastIndexOf(prefix, 0) === 0) lo++;
      return [start, lo];
    }

    /* Score of every document for one query word: title 3, tag or topic 2, abstract 1;
       an exact word counts a little more than a word it is only the start of. */
    function scoreWord(word) {
      var scores = new Map();
      function add(id, value) { if ((scores.get(id) || 0) < value) scores.set(id, value); }
      var range = prefixRange(word);
      members();
      for (var w = range[0]; w < range[1]; w++) {
        var exact = words[w] === word ? 1 : 0.8;
        postings("body", w).forEach(function (id) { add(id, 1 * exact); });
        postings("title", w).forEach(function (id) { add(id, 3 * exact); });
      }
      index.tags.forEach(function (tag, t) {
        if (tag.split("-").some(function (part) { return part.lastIndexOf(word, 0) === 0; })) {
          withTag[t].forEach(function (id) { add(id, 2); });
        }
      });
      index.topics.forEach(function (topic, t) {
        if (tokens(topic[1]).some(function (part) { return part.lastIndexOf(word, 0) === 0; })) {
          withTopic[t].forEach(function (id) { add(id, 2); });
        }
      });
      return scores;
    }

    function highlight(text, queryWords) {
      if (!queryWords.length) return escapeHtml(text);
      var pattern = new RegExp("(^|[^\\p{L}\\p{N}])(" + queryWords.map(function (w) {
        return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      }).join("|") + ")", "giu");
      return escapeHtml(text).replace(pattern, "$1<mark>$2</mark>");
    }

    return {
      name: "offline",
      search: function (q, filters) {
        var queryWords = tokens(q).filter(function (w) { return !stop.has(w); });
        var total = null;
        queryWords.forEach(function (word) {
          var scores = scoreWord(word);
          if (total === null) { total = scores; return; }
          var next = new Map(); // every word must match somewhere
          total.forEach(function (value, id) { if (scores.has(id)) next.set(id, value + scores.get(id)); });
          total = next;
        });
        var phrase = tokens(q).join(" ");
        var topicIds = filters.topic.map(function (slug) { return index.topics.findIndex(function (t) { return t[0] === slug; }); });
        var tagIds = filters.tag.map(function (slug) { return index.tags.indexOf(slug); });
        var ids = total === null ? docs.map(function (_, id) { return id; }) : Array.from(total.keys());
        ids = ids.filter(function (id) {
          var doc = docs[id];
          return topicIds.every(function (t) { return doc[3].indexOf(t) >= 0; }) &&
                 tagIds.every(function (t) { return doc[4].indexOf(t) >= 0; }) &&
                 (!filters.year.length || filters.year.indexOf(String(doc[6])) >= 0);
        });
        if (total !== null) {
          var final = new Map();
          ids.forEach(function (id) {
            var s = total.get(id), title = normalTitle(id);
            if (phrase && title === " " + phrase + " ") s += 100; // the exact title
            else if (phrase && title.indexOf(" " + phrase + " ") >= 0) s += 10;
            final.set(id, s);
          });
          ids.sort(function (a, b) { return final.get(b) - final.get(a) || a - b; });
        }
        var counts = { topic: {}, tag: {}, year: {} };
        ids.forEach(function (id) {
          if (docs[id][6]) counts.year[docs[id][6]] = (counts.year[docs[id][6]] || 0) + 1;
          docs[id][3].forEach(function (t) { var s = index.topics[t][0]; counts.topic[s] = (counts.topic[s] || 0) + 1; });
          docs[id][4].forEach(function (t) { var s = index.tags[t]; counts.tag[s] = (counts.tag[s] || 0) + 1; });
        });
        var results = ids.map(function (id) {
          var doc = docs[id];
          return { load: function () {
            return Promise.resolve({
              url: new URL("papers/" + doc[0] + ".html", root).href, title: doc[1],
              excerpt: highlight(doc[2], queryWords), tags: doc[4].map(function (t) { return index.tags[t]; })
            });
          } };
        });
        return Promise.resolve({ results: results, counts: counts });
      }
    };
  }

  /* ---- the UI ---------------------------------------------------------------------- */
  function renderFacets(counts) {
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
        text.textContent = (name === "topic" ? (topicTitles[key] || key) : key) + " ";
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
  }

  function renderResults(results, id) {
    list.textContent = "";
    var slice = results.slice(0, shown);
    return Promise.all(slice.map(function (r) { return r.load(); })).then(function (items) {
      if (id !== runId) return;
      items.forEach(function (item) {
        var li = document.createElement("li");
        var link = document.createElement("a");
        link.href = item.url; link.textContent = item.title; link.className = "paper-title";
        li.appendChild(link);
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
            a.href = new URL("tags/" + tag + ".html", root).href; a.textContent = tag;
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
      status.textContent = "Type to search titles, abstracts, tags and topics.";
      list.textContent = ""; facetsBox.textContent = "";
      status.dataset.total = 0;
      return Promise.resolve();
    }
    var started = performance.now();
    return backend.search(q, state).then(function (found) {
      if (id !== runId) return;
      status.dataset.ms = (performance.now() - started).toFixed(1); // the query itself, for benchmarks
      lastResults = found.results;
      var n = found.results.length;
      status.textContent = n + (n === 1 ? " result" : " results") + (q ? " for “" + q + "”" : "") +
        (backend.name === "offline" ? " (offline search)" : "");
      status.dataset.backend = backend.name;
      renderFacets(found.counts);
      return renderResults(found.results, id).then(function () {
        if (id === runId) status.dataset.total = n; // tests and tools wait for this
      });
    });
  }

  input.value = state.q;
  input.addEventListener("input", function () {
    state.q = input.value;
    clearTimeout(timer);
    timer = setTimeout(run, 150);
  });
  input.form.addEventListener("submit", function (event) { event.preventDefault(); state.q = input.value; run(); });

  var choose = location.protocol === "file:" ? fallbackBackend() : pagefindBackend().catch(fallbackBackend);
  choose.then(function (chosen) {
    backend = chosen;
    document.body.dataset.searchReady = chosen.name;
    return run();
  }).catch(function (error) {
    status.textContent = "Search could not start: " + error.message;
  });
})();
