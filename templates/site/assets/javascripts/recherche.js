// Recherche du site POWAO : un résultat par section, des questions de mentor.
//
// The index (recherche-index.js, built by powao/recherche.py) is loaded with a script
// tag on the first search, so it works offline and from file://. This script answers
// the theme's search box in place of its worker (the theme documents the worker
// messages: 0 set-up, 1 ready, 2 query, 3 result), with the same tokenizer as the
// index: accents folded, elisions and stop words dropped, plurals and verb endings
// joined by a light stemmer.
(function () {
  "use strict";
  var script = document.currentScript;
  var indexUrl = script ? script.src.replace(/recherche\.js(?:[?#].*)?$/, "recherche-index.js") : "";
  var index = null;
  var waiting = [];
  var sorted = null;
  var stop = null;

  function load(done) {
    if (index) { done(); return; }
    waiting.push(done);
    if (waiting.length > 1) { return; }
    var tag = document.createElement("script");
    tag.src = indexUrl;
    tag.onload = function () {
      index = window.__powaoIndex || { docs: [], termes: {}, vides: [], finales: [] };
      stop = {};
      index.vides.forEach(function (w) { stop[w] = true; });
      sorted = Object.keys(index.termes).sort();
      var calls = waiting; waiting = [];
      calls.forEach(function (f) { f(); });
    };
    document.head.appendChild(tag);
  }

  function fold(text) {
    return text.replace(/œ/g, "oe").replace(/Œ/g, "OE").replace(/æ/g, "ae").replace(/Æ/g, "AE")
      .normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function stem(word) {
    if (/^[0-9]+$/.test(word)) { return word; }
    if (word.length > 3 && /[sx]$/.test(word)) { word = word.slice(0, -1); }
    for (var i = 0; i < index.finales.length; i++) {
      var end = index.finales[i];
      if (word.slice(-end.length) === end && word.length - end.length >= 4) {
        return word.slice(0, -end.length);
      }
    }
    return word;
  }

  function termes(text) {
    var out = [];
    (fold(text).match(/[a-z0-9]+/g) || []).forEach(function (word) {
      if (stop[word] || (word.length < 2 && !/^[0-9]$/.test(word))) { return; }
      out.push(stem(word));
    });
    return out;
  }

  function prefixed(term) {
    // Index terms starting with `term` (binary search in the sorted list).
    var lo = 0, hi = sorted.length, out = [];
    while (lo < hi) { var mid = (lo + hi) >> 1; if (sorted[mid] < term) { lo = mid + 1; } else { hi = mid; } }
    for (var i = lo; i < sorted.length && out.length < 60 && sorted[i].indexOf(term) === 0; i++) {
      if (sorted[i] !== term) { out.push(sorted[i]); }
    }
    return out;
  }

  function search(query) {
    var typed = termes(query);
    var seen = {}, terms = [];
    typed.forEach(function (t) { if (!seen[t]) { seen[t] = true; terms.push(t); } });
    if (!terms.length) { return []; }
    var scores = {}, matched = {}, total = 0;
    var open = !/\s$/.test(query);  // the last word may still be being typed
    terms.forEach(function (t, n) {
      var sources = [];
      if (index.termes[t]) { sources.push([index.termes[t], 1]); }
      if ((t.length >= 3 && ((open && n === terms.length - 1) || !index.termes[t])) || t.length >= 5) {
        prefixed(t).forEach(function (p) { sources.push([index.termes[p], 0.5]); });
      }
      var idf = index.termes[t] ? index.termes[t][0] : 0;
      sources.forEach(function (s) { idf = Math.max(idf, s[0][0] * s[1]); });
      total += idf || 1;
      var best = {};
      sources.forEach(function (s) {
        var postings = s[0][1];
        for (var i = 0; i < postings.length; i += 2) {
          var value = s[0][0] * postings[i + 1] * s[1];
          if (!(best[postings[i]] >= value)) { best[postings[i]] = value; }
        }
      });
      Object.keys(best).forEach(function (d) {
        scores[d] = (scores[d] || 0) + best[d];
        matched[d] = (matched[d] || 0) + (idf || 1);
      });
    });
    return Object.keys(scores).map(function (d) {
      var share = matched[d] / total;
      return { doc: +d, score: scores[d] * share * share };
    }).sort(function (a, b) { return b.score - a.score || a.doc - b.doc; }).slice(0, 30)
      .map(function (r) { r.terms = terms; return r; });
  }

  function mark(text, terms) {
    return text.split(/(&[#a-z0-9]+;)/i).map(function (part) {
      if (part.charAt(0) === "&") { return part; }
      return part.replace(/[0-9A-Za-zÀ-ÖØ-öø-ÿœŒæÆ]+/g, function (word) {
        var w = fold(word);
        if (stop[w]) { return word; }
        var s = stem(w);
        return terms.some(function (t) { return s === t || (t.length >= 3 && s.indexOf(t) === 0); })
          ? "<mark>" + word + "</mark>" : word;
      });
    }).join("");
  }

  function result(query) {
    var words = {};
    (query.match(/[^\s'’"]+/g) || []).forEach(function (w) {
      if (!stop[fold(w)]) { words[w] = true; }
    });
    return {
      items: search(query).map(function (r) {
        var d = index.docs[r.doc];  // [location, page title, section title, preview]
        var page = d[0].split("#")[0];
        var text = d[3] ? "<p>" + mark(d[3], r.terms) + "</p>" : "";
        if (!d[2]) {
          return [{ location: page, title: d[1], text: text, score: r.score, terms: words }];
        }
        return [{ location: page, title: d[1], text: "", score: r.score, terms: words },
                { location: d[0], title: mark(d[2], r.terms), text: text, score: r.score, terms: words }];
      })
    };
  }

  // The theme creates its search worker before this script runs: its messages are
  // answered here instead (the worker, native or the file:// shim, never gets them).
  function repondre(worker, data) {
    setTimeout(function () {
      var event = new MessageEvent("message", { data: data });
      worker.dispatchEvent(event);
      // A native worker calls its onmessage for a dispatched event; the file:// shim does not.
      if (typeof worker.onmessage === "function" && window.IFrameWorker && worker instanceof window.IFrameWorker) {
        worker.onmessage(event);
      }
    }, 0);
  }
  // Site root, from this script's address (assets/javascripts/recherche.js).
  var racine = script ? script.src.replace(/assets\/javascripts\/recherche\.js(?:[?#].*)?$/, "") : "";
  function absolu(location) {
    try { return new URL(location, racine || document.baseURI).href; } catch (e) { return location; }
  }
  function zensicalDocs(items) {
    var ids = {};
    items.forEach(function (item, id) {
      var href = absolu(item.location || "");
      if (!(href in ids)) { ids[href] = id; }
    });
    return ids;
  }
  function zensicalResult(ids, query) {
    var seen = {}, items = [];
    search(query).forEach(function (r) {
      var href = absolu(index.docs[r.doc][0]);
      var id = href in ids ? ids[href] : ids[href.split("#")[0]];
      if (id !== undefined && !seen[id]) { seen[id] = true; items.push({ id: id, matches: [] }); }
    });
    return { items: items, query: { values: [] }, pagination: { total: items.length },
             aggregations: [] };
  }

  function detourner(Classe) {
    if (!Classe || !Classe.prototype || Classe.prototype.__powao) { return; }
    var envoyer = Classe.prototype.postMessage;
    Classe.prototype.__powao = true;
    Classe.prototype.postMessage = function (message) {
      var worker = this;
      if (message && message.type === 0 && message.data && message.data.docs) {
        load(function () { repondre(worker, { type: 1 }); });
        return;
      }
      if (message && message.type === 0 && message.data && Array.isArray(message.data.items)) {
        // Zensical: its documents stay its own; results name them by their position.
        worker.__powaoDocs = zensicalDocs(message.data.items);
        load(function () { repondre(worker, { type: 1 }); });
        return;
      }
      if (message && message.type === 2 && worker.__powaoDocs) {
        var texte = message.data && typeof message.data.input === "string" ? message.data.input : "";
        load(function () { repondre(worker, { type: 3, data: zensicalResult(worker.__powaoDocs, texte) }); });
        return;
      }
      if (message && message.type === 2) {
        var query = typeof message.data === "string" ? message.data : "";
        load(function () { repondre(worker, { type: 3, data: result(query) }); });
        return;
      }
      return envoyer.apply(this, arguments);
    };
  }
  detourner(window.Worker);
  detourner(window.IFrameWorker);
  window.__powaoRecherche = {
    // For tests and for the curious: the ranked sections of a query.
    chercher: function (query, done) {
      load(function () {
        done(search(query).map(function (r) {
          var d = index.docs[r.doc];
          return { location: d[0], page: d[1], section: d[2], score: r.score };
        }));
      });
    }
  };

  // The search dialog of the theme has no accessible name.
  function nommer() {
    var dialogue = document.querySelector(".md-search[role=dialog]");
    if (dialogue) { dialogue.setAttribute("aria-label", "Rechercher"); }
  }
  nommer();
  document.addEventListener("DOMContentLoaded", nommer);
})();
