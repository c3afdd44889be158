/* litsite search back ends, shared by the search page (search.js) and the header's instant
   results (site.js). Served over http(s): Pagefind. Opened from file:// (or if Pagefind can't
   load): search-index.js, the script-loaded index `litsite build` writes, queried by
   search-engine.js. Each gives results that load their title, URL, excerpt and tags, and
   facet counts. `root` is the site's root URL; `urls` the patterns of site/urls.py. */
(function () {
  "use strict";

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

    function fallbackBackend() {
      var ready = window.LITSITE_SEARCH ? Promise.resolve() : loadScript(new URL(urls.offline, root).href);
      return ready.then(function () {
        var engine = window.LitsiteSearchEngine.open(window.LITSITE_SEARCH);
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
