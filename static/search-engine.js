/* litsite offline search engine: queries search-index.js, the index `litsite build` writes
   (generator/search/offline.py). No DOM: the search page (search.js) and the spec test in node
   (tests/test_search_spec.py) use the same code. The tokeniser's rules (shortest word, shortest
   prefix, stopwords) come from the index, so Python sets them in one place. */
(function (global) {
  "use strict";

  var rules = { min_word: 2, prefix_from: 3, typo_from: 5 }; // replaced by the index's own rules when it is opened
  var TYPO_WEIGHT = 0.6; // a word read as a typo of another counts less than the word itself
  // Fusing keyword and meaning rankings (reciprocal-rank fusion): a paper scores
  // 1/(FUSE_K + its keyword rank) + MEANING_WEIGHT/(FUSE_K + its meaning rank).
  var FUSE_K = 60;
  var MEANING_WEIGHT = 0.8; // a little less than the words: a reader's own words are surer evidence
  var FUSE_DEPTH = 20; // meaning reorders the first 20 keyword results; it adds papers only when the words find 20 or fewer
  var MEANING_HITS = 10; // papers offered by meaning at most

  /* One ranking from two, the same for both engines. `keyword`: ids, best first; `meaning`: ids,
     closest first (already filtered); `pinned`: how many leading keyword ids are exact titles and
     stay first. Returns {ids, added}: added holds the ids only meaning found. */
  function fuse(keyword, meaning, pinned) {
    var head = keyword.slice(pinned, FUSE_DEPTH), score = new Map(), added = new Set();
    var adds = keyword.length <= FUSE_DEPTH, seen = new Set(keyword);
    head.forEach(function (id, r) { score.set(id, 1 / (FUSE_K + r + 1)); });
    meaning.slice(0, MEANING_HITS).forEach(function (id, r) {
      var part = MEANING_WEIGHT / (FUSE_K + r + 1);
      if (score.has(id)) score.set(id, score.get(id) + part);
      else if (adds && !seen.has(id)) { score.set(id, part); added.add(id); }
    });
    var order = Array.from(score.keys()), rank = new Map();
    order.forEach(function (id, i) { rank.set(id, i); });
    order.sort(function (a, b) { return score.get(b) - score.get(a) || rank.get(a) - rank.get(b); });
    return { ids: keyword.slice(0, pinned).concat(order, keyword.slice(FUSE_DEPTH)), added: added };
  }

  /* The words of a title or query as one string, for comparing a title with a query. */
  function phraseOf(text) { return tokens(text).join(" "); }

  // At most one edit apart: one letter added, dropped or changed, or two neighbours swapped
  // ("dpeth" is "depth"). Checked without building the distance table: there is one edit to find.
  function oneEditApart(a, b) {
    if (Math.abs(a.length - b.length) > 1 || a === b) return false;
    var i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i++;
    if (a.length === b.length) {
      return a.slice(i + 1) === b.slice(i + 1) ||
             (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2));
    }
    return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function tokens(text) {
    var words = text.toLowerCase().normalize("NFD").replace(/\p{M}/gu, "").match(/[\p{L}\p{N}]+/gu) || [];
    return words.filter(function (w) { return w.length >= rules.min_word; });
  }

  function decode(postings) {
    var ids = [], previous = 0;
    if (!postings) return ids;
    postings.split(".").forEach(function (gap) { previous += parseInt(gap, 36); ids.push(previous); });
    return ids;
  }

  function open(index) {
    var words = index.words ? index.words.split(" ") : [];
    var stop = new Set(index.stop);
    rules = index.rules;
    var docs = index.docs;
    var decoded = { title: new Map(), body: new Map(), author: new Map() }; // postings are decoded once, when first needed
    var titleText = []; // normalised titles, for the exact-title boost
    var withTag = null, withTopic = null, bySlug = null;

    function postings(field, w) {
      var ids = decoded[field].get(w);
      if (!ids) { ids = decode((index[field] || [])[w]); decoded[field].set(w, ids); }
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
      var exactOnly = prefix.length < rules.prefix_from; // 'ti' would expand to hundreds of words
      while (lo < hi) { var mid = (lo + hi) >> 1; if (words[mid] < prefix) lo = mid + 1; else hi = mid; }
      var start = lo;
      if (exactOnly) return words[lo] === prefix ? [lo, lo + 1] : [lo, lo];
      while (lo < words.length && words[lo].lastIndexOf(prefix, 0) === 0) lo++;
      return [start, lo];
    }

    /* Score of every document for one query word: title 3, author, tag or topic 2, abstract 1;
       an exact word counts a little more than a word it is only the start of, and both more
       than a word one edit away (only for a word the index does not have). */
    function scoreWord(word) {
      var scores = new Map();
      function add(id, value) { if ((scores.get(id) || 0) < value) scores.set(id, value); }
      var range = prefixRange(word);
      members();
      var matched = [];
      for (var w = range[0]; w < range[1]; w++) matched.push([w, words[w] === word ? 1 : 0.8]);
      if (word.length >= rules.typo_from && words[range[0]] !== word) { // not a word of the index: a typo?
        for (var v = 0; v < words.length; v++) if (oneEditApart(word, words[v])) matched.push([v, TYPO_WEIGHT]);
      }
      matched.forEach(function (match) {
        postings("body", match[0]).forEach(function (id) { add(id, 1 * match[1]); });
        postings("title", match[0]).forEach(function (id) { add(id, 3 * match[1]); });
        postings("author", match[0]).forEach(function (id) { add(id, 2 * match[1]); });
      });
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

    /* The query with each word of typo_from+ letters the index lacks replaced by the word one
       edit away that most papers use (ties: A to Z); null when nothing needed correcting. The
       Pagefind back end asks this when Pagefind finds nothing, so both engines forgive the same
       typos. */
    function correct(q) {
      var changed = false;
      var fixed = tokens(q).map(function (word) {
        if (word.length < rules.typo_from || stop.has(word) || prefixRange(word)[1] > prefixRange(word)[0]) return word;
        var best = null, bestCount = 0;
        for (var v = 0; v < words.length; v++) {
          if (!oneEditApart(word, words[v])) continue;
          var count = postings("body", v).length + postings("title", v).length + postings("author", v).length;
          if (count > bestCount) { best = words[v]; bestCount = count; }
        }
        if (best) { changed = true; return best; }
        return word;
      });
      return changed ? fixed.join(" ") : null;
    }

    return {
      correct: correct,
      /* `meaning` (optional): the opened meaning index (static/search-meaning.js over search-vectors.js), fused in. */
      search: function (q, filters, meaning) {
        var queryWords = tokens(q).filter(function (w) { return !stop.has(w); });
        var total = null;
        queryWords.forEach(function (word) {
          var scores = scoreWord(word);
          if (total === null) { total = scores; return; }
          var next = new Map(); // every word must match somewhere
          total.forEach(function (value, id) { if (scores.has(id)) next.set(id, value + scores.get(id)); });
          total = next;
        });
        var phrase = phraseOf(q);
        var ids = total === null ? docs.map(function (_, id) { return id; }) : Array.from(total.keys());
        var passes = passing(filters);
        ids = ids.filter(passes);
        var pinned = 0, added = new Set();
        if (total !== null) {
          var final = new Map();
          ids.forEach(function (id) {
            var s = total.get(id), title = normalTitle(id);
            if (phrase && title === " " + phrase + " ") { s += 100; pinned++; } // the exact title
            else if (phrase && title.indexOf(" " + phrase + " ") >= 0) s += 10;
            final.set(id, s);
          });
          ids.sort(function (a, b) { return final.get(b) - final.get(a) || a - b; });
        }
        if (meaning && queryWords.length) {
          var fused = fuse(ids, meaningIds(meaning, queryWords, passes), pinned);
          ids = fused.ids; added = fused.added;
        }
        var counts = { topic: {}, tag: {}, year: {} };
        ids.forEach(function (id) { count(counts, id); });
        return { results: ids.map(function (id) { return result(id, queryWords, added.has(id)); }), counts: counts };
      },
      fuse: fuse,
      fuseDepth: FUSE_DEPTH,
      queryWords: function (q) { return tokens(q).filter(function (w) { return !stop.has(w); }); },
      idOf: function (slug) { return slugIds().get(slug); },
      passing: passing,
      count: count,
      result: result,
      meaningIds: meaningIds,
      key: index.key,
      meaning: index.meaning
    };

    function slugIds() {
      if (!bySlug) { bySlug = new Map(); docs.forEach(function (doc, id) { bySlug.set(doc[0], id); }); }
      return bySlug;
    }

    /* Whether a paper passes the ticked filters. */
    function passing(filters) {
      var topicIds = filters.topic.map(function (slug) { return index.topics.findIndex(function (t) { return t[0] === slug; }); });
      var tagIds = filters.tag.map(function (slug) { return index.tags.indexOf(slug); });
      return function (id) {
        var doc = docs[id];
        return topicIds.every(function (t) { return doc[3].indexOf(t) >= 0; }) &&
               tagIds.every(function (t) { return doc[4].indexOf(t) >= 0; }) &&
               (!filters.year.length || filters.year.indexOf(String(doc[6])) >= 0);
      };
    }

    /* Adds one paper's topics, tags and year to facet counts. */
    function count(counts, id) {
      var doc = docs[id];
      if (doc[6]) counts.year[doc[6]] = (counts.year[doc[6]] || 0) + 1;
      doc[3].forEach(function (t) { var s = index.topics[t][0]; counts.topic[s] = (counts.topic[s] || 0) + 1; });
      doc[4].forEach(function (t) { var s = index.tags[t]; counts.tag[s] = (counts.tag[s] || 0) + 1; });
    }

    /* The ids meaning search offers for the query's words, among the papers the filters let through. */
    function meaningIds(meaning, queryWords, passes) {
      if (meaning.key !== index.key) return []; // built for other papers (a partial update): ignore it
      return meaning.rank(queryWords, 4 * MEANING_HITS).map(function (hit) { return hit[0]; }).filter(passes).slice(0, MEANING_HITS);
    }

    function result(id, queryWords, byMeaning) { // the excerpt is made for the results that are shown only
      var doc = docs[id];
      return { slug: doc[0], title: doc[1], tags: doc[4].map(function (t) { return index.tags[t]; }), byMeaning: byMeaning,
               get excerpt() { return highlight(doc[2], queryWords); } };
    }
  }

  var engine = { open: open, tokens: tokens, phraseOf: phraseOf };
  if (typeof module === "object" && module.exports) module.exports = engine;
  else global.LitsiteSearchEngine = engine;
})(this);
