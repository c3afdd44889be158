/* litsite search by meaning: ranks papers by how close they are to a query's words in the
   vectors `litsite build` learns from the collection (generator/search/meaning.py writes them
   into search-vectors.js). No DOM: search-backends.js and the spec test in node use it alike.
   A query's vector is the sum of its words' vectors (words the index lacks add nothing); papers
   rank by cosine. */
(function (global) {
  "use strict";

  var MIN_COSINE = 0.35; // below this a paper shares too little with the query to be offered
  var OF_BEST = 0.6; // and it must come near the closest paper: a far second is noise

  function bytes(base64) { // int8 values, as Python's numpy wrote them (an Int8Array stores 200 as -56)
    var text = atob(base64), out = new Int8Array(text.length);
    for (var i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
    return out;
  }

  /* `data` is window.LITSITE_MEANING; null when the index holds no vectors (a tiny collection). */
  function open(data) {
    var dims = data.dims;
    if (!dims) return null;
    var index = new Map();
    data.words.split(" ").forEach(function (word, i) { index.set(word, i); });
    var terms = bytes(data.terms), docs = bytes(data.docs), scales = data.scales;
    var count = docs.length / dims;
    var norms = new Float32Array(count);
    for (var d = 0; d < count; d++) {
      var sum = 0;
      for (var k = 0; k < dims; k++) { var v = docs[d * dims + k]; sum += v * v; }
      norms[d] = Math.sqrt(sum) || 1;
    }

    function queryVector(words) {
      var vector = new Float32Array(dims), known = 0;
      new Set(words).forEach(function (word) {
        var i = index.get(word);
        if (i === undefined) return;
        known++;
        for (var k = 0; k < dims; k++) vector[k] += terms[i * dims + k] * scales[i];
      });
      return known ? vector : null;
    }

    return {
      key: data.key,
      /* [[paper id, cosine], …], closest first, at most `limit`, only those close enough. */
      rank: function (words, limit) {
        var vector = queryVector(words);
        if (!vector) return [];
        var length = 0;
        for (var k = 0; k < dims; k++) length += vector[k] * vector[k];
        length = Math.sqrt(length) || 1;
        var scored = [];
        for (var d = 0; d < count; d++) {
          var dot = 0, base = d * dims;
          for (var j = 0; j < dims; j++) dot += vector[j] * docs[base + j];
          var cosine = dot / (length * norms[d]);
          if (cosine >= MIN_COSINE) scored.push([d, cosine]);
        }
        scored.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
        var floor = scored.length ? scored[0][1] * OF_BEST : 0;
        return scored.filter(function (hit) { return hit[1] >= floor; }).slice(0, limit);
      }
    };
  }

  var meaning = { open: open };
  if (typeof module === "object" && module.exports) module.exports = meaning;
  else global.LitsiteMeaning = meaning;
})(this);
