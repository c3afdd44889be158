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
                var f = search.filters || {};
                var counts = { topic: f.topic || {}, tag: f.tag || {}, year: f.year || {} };
                var results = search.results.map(function (r) {
                  return { load: function () {
                    return r.data().then(function (d) {
                      var title = d.meta.title || d.url;
                      return { url: new URL(d.url.replace(/^\//, ""), root).href, title: title,
                               excerpt: withoutTitle(d.excerpt, title, d.meta.summary),
                               tags: (d.filters && d.filters.tag) || [] };
                    });
                  } };
                });
                return { results: results, counts: counts, corrected: corrected || null };
              }
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

    var opened = null;
    function offlineEngine() { // loaded once, on first need
      if (!opened) {
        var ready = window.LITSITE_SEARCH ? Promise.resolve() : loadScript(new URL(urls.offline, root).href);
        // search-engine.js is loaded before this file, on the search page and by site.js
        opened = ready.then(function () { return window.LitsiteSearchEngine.open(window.LITSITE_SEARCH); });
      }
      return opened;
    }

    function fallbackBackend() {
      return offlineEngine().then(function (engine) {
        return {
          name: "offline",
          search: function (q, filters) {
            var found = engine.search(q, filters);
            return Promise.resolve({ counts: found.counts, results: found.results.map(function (hit) {
              return { load: function () {
                return Promise.resolve({ url: urlFor(urls.paper, hit.slug), title: hit.title, excerpt: hit.excerpt,
                                         tags: hit.tags });
              } };
            }) });
          }
        };
      });
    }


    return location.protocol === "file:" ? fallbackBackend() : pagefindBackend().catch(fallbackBackend);
  }

  window.LitsiteBackends = { open: open };
})();
