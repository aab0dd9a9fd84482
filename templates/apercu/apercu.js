// Live preview only (build.py serve): shows the problems of the last save on every
// page, so that an author sees them without a terminal. Messages are text, never HTML.
(function () {
  var base = document.querySelector("script[src$='apercu.js']");
  var url = base ? base.src.replace(/assets\/javascripts\/apercu\.js.*$/, "apercu-etat.json")
                 : "apercu-etat.json";
  function show(state) {
    var box = document.getElementById("powao-apercu");
    if (!state.messages || state.messages.length === 0) {
      if (box) { box.remove(); }
      return;
    }
    if (!box) {
      box = document.createElement("div");
      box.id = "powao-apercu";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;left:0;right:0;bottom:0;z-index:1000;max-height:45vh;" +
        "overflow:auto;background:#7f1d1d;color:#fff;padding:.8em 1em;font:14px/1.4 sans-serif";
      document.body.appendChild(box);
    }
    box.textContent = "";
    var title = document.createElement("strong");
    title.textContent = state.a_jour ? "Avertissements de la vérification :"
                                     : "L’aperçu n’est pas à jour : corrigez ces erreurs puis enregistrez.";
    box.appendChild(title);
    var list = document.createElement("ul");
    state.messages.forEach(function (line) {
      var item = document.createElement("li");
      item.textContent = line;
      list.appendChild(item);
    });
    box.appendChild(list);
  }
  function poll() {
    fetch(url + "?t=" + Date.now()).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) { if (state) { show(state); } })
      .catch(function () {});
  }
  poll();
  setInterval(poll, 2000);
})();
