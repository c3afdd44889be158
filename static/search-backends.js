/* litsite search back ends, shared by the search page (search.js) and the header's instant
   results (site.js). Served over http(s): Pagefind. Opened from file:// (or if Pagefind can't
   load): search-index.js, the script-loaded index `litsite build` writes, queried by
   search-engine.js. Each gives results that load their title, URL, excerpt and tags, and
   facet counts. `root` is the site's root URL; `urls` the patterns of site/urls.py. */
(function () {
  "use strict";

  // Pagefind's excerpt is a window on the page's text, which begins with the title: a window
  // that opens on the title (or on its last words) repeats the heading the result already
  // shows, and a derived title (the abstract's first words) is then read a second time.
  // Words are compared as the offline engine reads them ("GCNs." is "gcns"; "—" is no word).
  function withoutTitle(excerpt, title, summary) {
    var wordsOf = window.LitsiteSearchEngine.tokens; // loaded before this file (search page, site.js)
    var words = excerpt.split(" "), heading = wordsOf(title);
    var follows = function (from, wanted) { // the index after `wanted` read from words[from], or -1
      var i = from, t = 0;
      for (; i < words.length && t < wanted.length; i++) {
        var found = wordsOf(words[i].replace(/<\/?mark>/g, ""));
        for (var j = 0; j < found.length; j++, t++) if (t >= wanted.length || found[j] !== wanted[t]) return -1;
      }
      return t >= wanted.length ? i : -1;
    };
    var endOfTitle = function (from, shortest) { // after the longest run of the title's last words
      for (var k = heading.length; k >= shortest; k--) {
        var at = follows(from, heading.slice(heading.length - k));
        if (at >= 0) return at;
      }
      return -1;
    };
    var at = endOfTitle(0, 1);
    if (at < 0) return excerpt;
    var again = endOfTitle(at, 3);
    var rest = words.slice(again >= 0 ? again : at).join(" ");
    return rest ? (again >= 0 ? "… " : "") + rest : escapeHtml(summary || "");
  }

  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
  }

  function open(root, urls) {
    function urlFor(pattern, slug) { return new URL(pattern.replace("{}", encodeURIComponent(slug)), root).href; }
    /* ---- back end 1: Pagefind (needs a web server) ---------------------------------- */
    function pagefindBackend() {
      return import(new URL(urls.pagefind, root).href).then(function (pagefind) {
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
              // Started at once, beside Pagefind's own search: the exact-title search, and (for
              // meaning) the offline index and the vectors.
              var exact = exactSearch(pagefind, q, options);
              if (q && filters.meaning !== false) meaningEngine();
              return pagefind.search(q || null, options).then(function (search) {
                // Nothing found: perhaps a typo. The offline index knows every word of the site
                // and corrects as the offline engine does; the corrected query is searched instead.
                if (q && !search.results.length && !filters.corrected) {
                  return offlineEngine().then(function (engine) {
                    var fixed = engine.correct(q);
                    if (!fixed) return answer(search);
                    return pagefind.search(fixed, options).then(function (again) {
                      return again.results.length ? answer(again, fixed) : answer(search);
                    });
                  }).catch(function () { return answer(search); });
                }
                return answer(search);
              });
              function answer(search, corrected) {
                var candidates = corrected ? exactSearch(pagefind, corrected, options) : exact;
                return exactTitlesFirst(candidates, search, corrected || q).then(function (pinned) {
                  return ranked(search, corrected, pinned);
                });
              }
              function ranked(search, corrected, pinned) {
                var f = search.filters || {};
                var counts = { topic: copy(f.topic), tag: copy(f.tag), year: copy(f.year) };
                var results = search.results.map(function (r) {
                  var loaded = null;
                  return { load: function () {
                    if (!loaded) loaded = r.data().then(function (d) {
                      var title = d.meta.title || d.url;
                      return { url: new URL(d.url.replace(/^\//, ""), root).href, title: title,
                               excerpt: withoutTitle(d.excerpt, title, d.meta.summary),
                               tags: (d.filters && d.filters.tag) || [] };
                    });
                    return loaded;
                  } };
                });
                var plain = { results: results, counts: counts, corrected: corrected || null };
                if (!q || filters.meaning === false) return plain;
                return withMeaning(plain, corrected || q, filters, pinned).catch(function () { return plain; });
              }
            }
          };
        });
      });
    }

    /* Pagefind ranks by its words' statistics: a title made of common words ("Network in
       Network") can come 30th. As the offline engine does, papers whose title is the query go
       first: a quoted (exact phrase) search finds the few candidates, and their titles are read.
       Resolves to how many were moved to the front. */
    function exactSearch(pagefind, query, options) { // null for one word: its own ranking is fine
      if (!query || phraseOf(query).indexOf(" ") < 0) return null;
      return pagefind.search('"' + query.replace(/"/g, " ") + '"', options);
    }

    function exactTitlesFirst(candidates, search, query) {
      var phrase = phraseOf(query);
      if (!candidates || !search.results.length) return Promise.resolve(0);
      return candidates.then(function (exact) {
        return Promise.all(exact.results.slice(0, 10).map(function (r) {
          return r.data().then(function (d) { return d.meta.title && phraseOf(d.meta.title) === phrase ? r.id : null; });
        }));
      }).then(function (ids) {
        var wanted = new Set(ids.filter(Boolean));
        var first = search.results.filter(function (r) { return wanted.has(r.id); });
        search.results = first.concat(search.results.filter(function (r) { return !wanted.has(r.id); }));
        return first.length;
      }).catch(function () { return 0; });
    }

    function phraseOf(text) { return window.LitsiteSearchEngine.phraseOf(text); }

    /* Pagefind's results with meaning fused in, as the offline engine fuses its own: the first
       results are loaded to learn which papers they are, exact titles go first, and papers only
       meaning finds are shown (and counted) from the offline index. */
    function withMeaning(found, q, filters, pinned) {
      return Promise.all([offlineEngine(), meaningEngine()]).then(function (engines) {
        var engine = engines[0], meaning = engines[1];
        if (!meaning) return found;
        var head = found.results.slice(0, engine.fuseDepth);
        return Promise.all(head.map(function (r) { return r.load(); })).then(function (items) {
          var keys = found.results.map(function (r, i) { // a paper's offline id, or the result's place
            var id = i < items.length ? engine.idOf(slugOf(items[i].url)) : undefined;
            return id === undefined ? "pagefind-" + i : id;
          });
          var byKey = new Map();
          keys.forEach(function (key, i) { byKey.set(key, found.results[i]); });
          var words = engine.queryWords(q);
          var fused = engine.fuse(keys, engine.meaningIds(meaning, words, engine.passing(filters)), pinned);
          var results = fused.ids.map(function (key) {
            if (!fused.added.has(key)) return byKey.get(key);
            engine.count(found.counts, key);
            var hit = engine.result(key, words, true);
            return { byMeaning: true, load: function () { return Promise.resolve(shown(hit)); } };
          });
          return { results: results, counts: found.counts, corrected: found.corrected };
        });
      });
    }

    function slugOf(url) { // the slug of a paper page's URL, or "" for another page
      var prefix = new URL(urls.paper.split("{}")[0], root).href, suffix = urls.paper.split("{}")[1];
      if (url.lastIndexOf(prefix, 0) !== 0 || url.slice(-suffix.length) !== suffix) return "";
      return decodeURIComponent(url.slice(prefix.length, url.length - suffix.length));
    }

    function copy(counts) { var out = {}; for (var k in counts || {}) out[k] = counts[k]; return out; }

    function shown(hit) { // an offline engine's result as the search page shows it
      return { url: urlFor(urls.paper, hit.slug), title: hit.title, excerpt: hit.excerpt, tags: hit.tags,
               byMeaning: hit.byMeaning };
    }

    /* ---- back end 2: the script-loaded fallback index (works from file://) ------------ */
    function loadScript(src) {
      return new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = src; s.onload = resolve; s.onerror = function () { reject(new Error("cannot load " + src)); };
        document.head.appendChild(s);
      });
    }

    var opened = null;
    function offlineEngine() { // loaded once, on first need
      if (!opened) {
        var ready = window.LITSITE_SEARCH ? Promise.resolve() : loadScript(new URL(urls.offline, root).href);
        // search-engine.js is loaded before this file, on the search page and by site.js
        opened = ready.then(function () { return window.LitsiteSearchEngine.open(window.LITSITE_SEARCH); });
      }
      return opened;
    }

    var meaningOpened = null;
    function meaningEngine() { // the meaning index, loaded on first need; null if the site has none
      if (!meaningOpened) {
        meaningOpened = offlineEngine().then(function (engine) {
          if (!engine.meaning || !window.LitsiteMeaning) return null; // site.yaml turned it off
          var ready = window.LITSITE_MEANING ? Promise.resolve() : loadScript(new URL(urls.meaning, root).href);
          return ready.then(function () { return window.LitsiteMeaning.open(window.LITSITE_MEANING); });
        }).catch(function () { return null; }); // search by words goes on without it
      }
      return meaningOpened;
    }

    function fallbackBackend() {
      return offlineEngine().then(function (engine) {
        return {
          name: "offline",
          search: function (q, filters) {
            var wanted = q && filters.meaning !== false;
            return (wanted ? meaningEngine() : Promise.resolve(null)).then(function (meaning) {
              var found = engine.search(q, filters, meaning);
              return { counts: found.counts, results: found.results.map(function (hit) {
                return { byMeaning: hit.byMeaning, load: function () { return Promise.resolve(shown(hit)); } };
              }) };
            });
          }
        };
      });
    }


    return location.protocol === "file:" ? fallbackBackend() : pagefindBackend().catch(fallbackBackend);
  }

  /* Whether the reader wants search by meaning: the URL's ?meaning=off (a shared search keeps
     its setting), else the choice last made on this site (kept per site root), else yes. */
  var PREFERENCE = "litsite-meaning:";
  function meaningWanted(root, params) {
    if (params && params.has("meaning")) return params.get("meaning") !== "off";
    try { return localStorage.getItem(PREFERENCE + new URL(root).pathname) !== "off"; } catch (e) { return true; }
  }
  function rememberMeaning(root, on) {
    try { localStorage.setItem(PREFERENCE + new URL(root).pathname, on ? "on" : "off"); } catch (e) { /* private mode */ }
  }

  window.LitsiteBackends = { open: open, meaningWanted: meaningWanted, rememberMeaning: rememberMeaning };
})();
