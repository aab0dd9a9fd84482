// « Mon groupe, mon horaire » : sur la page d'un atelier, le mentor règle le nombre de
// jeunes, de mentors et l'heure de début ; les quantités du matériel et les horaires
// du déroulé sont recalculés ici (mêmes règles que powao/views.py), gardés dans ce
// navigateur (localStorage) et imprimés avec la page. Sans JavaScript, la page garde
// les valeurs du programme.
(function () {
  "use strict";
  var NBSP = "\u00a0";

  // French clock times: 14 h, 14 h 30, 9 h 05 (the toolchain's rule).
  function heure(total) {
    total = ((total % 1440) + 1440) % 1440;
    var h = Math.floor(total / 60), m = total % 60;
    return h + NBSP + "h" + (m ? NBSP + (m < 10 ? "0" : "") + m : "");
  }

  function minutes(texte) {
    var m = /^(\d{1,2}):(\d{2})/.exec(texte || "");
    return m ? (+m[1]) * 60 + (+m[2]) : null;
  }

  function pluriel(n, mot) { return n + " " + mot + (n > 1 ? "s" : ""); }

  function entier(valeur, min, max, defaut) {
    var n = parseInt(valeur, 10);
    if (!isFinite(n)) { return defaut; }
    return Math.min(max, Math.max(min, n));
  }

  function installer(form) {
    var cle = "powao-groupe:" + form.getAttribute("data-atelier");
    var defaut = {
      jeunes: +form.getAttribute("data-jeunes"),
      mentors: +form.getAttribute("data-mentors"),
      heure: form.getAttribute("data-heure")
    };
    var champs = {
      jeunes: form.querySelector("input[name=jeunes]"),
      mentors: form.querySelector("input[name=mentors]"),
      heure: form.querySelector("input[name=heure]")
    };
    var article = form.closest("article") || document;

    function lire() {
      return {
        jeunes: entier(champs.jeunes.value, 1, 30, defaut.jeunes),
        mentors: entier(champs.mentors.value, 1, 10, defaut.mentors),
        heure: minutes(champs.heure.value) !== null ? champs.heure.value.slice(0, 5) : defaut.heure
      };
    }

    function appliquer(v) {
      article.querySelectorAll(".powao-materiel tbody tr").forEach(function (tr) {
        var d = tr.dataset, total, calcul;
        if (d.parJeune) { total = d.parJeune * v.jeunes; calcul = d.parJeune + " par jeune × " + v.jeunes; }
        else if (d.parMentor) { total = d.parMentor * v.mentors; calcul = d.parMentor + " par mentor × " + v.mentors; }
        else if (d.parPersonne) {
          total = d.parPersonne * (v.jeunes + v.mentors);
          calcul = d.parPersonne + " par personne × " + (v.jeunes + v.mentors);
        } else { return; }  // per group or fixed: unchanged
        var q = tr.querySelector(".powao-quantite"), c = tr.querySelector(".powao-calcul");
        if (q) { q.textContent = String(total); }
        if (c) { c.textContent = calcul; }
      });
      var debut = minutes(v.heure), t = debut;
      article.querySelectorAll(".powao-deroule tbody tr[data-duree]").forEach(function (tr) {
        var cellule = tr.querySelector(".powao-heure");
        if (cellule) { cellule.textContent = heure(t); }
        t += +tr.getAttribute("data-duree");
      });
      article.querySelectorAll(".powao-deroule .powao-fin").forEach(function (td) { td.textContent = heure(t); });
      article.querySelectorAll("[data-role=groupe]").forEach(function (s) {
        s.textContent = pluriel(v.jeunes, "jeune") + " et " + pluriel(v.mentors, "mentor");
      });
      article.querySelectorAll("[data-role=heure]").forEach(function (s) { s.textContent = heure(debut); });
      var propre = v.jeunes === defaut.jeunes && v.mentors === defaut.mentors && v.heure === defaut.heure;
      form.classList.toggle("powao-groupe--modifie", !propre);
    }

    function garder(v) {
      try {
        if (v.jeunes === defaut.jeunes && v.mentors === defaut.mentors && v.heure === defaut.heure) {
          localStorage.removeItem(cle);
        } else {
          localStorage.setItem(cle, JSON.stringify(v));
        }
      } catch (e) { /* private browsing: the values last for this visit */ }
    }

    var saved = null;
    try { saved = JSON.parse(localStorage.getItem(cle) || "null"); } catch (e) { saved = null; }
    if (saved && typeof saved === "object") {
      champs.jeunes.value = entier(saved.jeunes, 1, 30, defaut.jeunes);
      champs.mentors.value = entier(saved.mentors, 1, 10, defaut.mentors);
      if (minutes(saved.heure) !== null) { champs.heure.value = String(saved.heure).slice(0, 5); }
    }
    form.hidden = false;
    appliquer(lire());
    form.addEventListener("input", function () { var v = lire(); appliquer(v); garder(v); });
    form.addEventListener("change", function () { var v = lire(); appliquer(v); garder(v); });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    form.addEventListener("reset", function () {
      setTimeout(function () {
        champs.jeunes.value = defaut.jeunes; champs.mentors.value = defaut.mentors;
        champs.heure.value = defaut.heure;
        appliquer(defaut); garder(defaut);
      }, 0);
    });
  }

  function demarrer() {
    document.querySelectorAll("form.powao-groupe-reglages").forEach(function (form) {
      if (!form.dataset.pret) { form.dataset.pret = "1"; installer(form); }
    });
  }
  window.__powaoHeure = heure;  // the clock rule, for tests
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", demarrer); }
  else { demarrer(); }
})();
