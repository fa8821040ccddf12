/* ctxlint map: draws the data ctxlint wrote into #ctxlint-data with Cytoscape.js.
 *
 * Everything in the data comes from the analysed project and is untrusted: it is put into the page only
 * with textContent and Cytoscape's data API (labels are drawn on a canvas), never as HTML, and node ids
 * are made here from indexes, never from names. */
(function () {
  "use strict";

  var D = JSON.parse(document.getElementById("ctxlint-data").textContent);
  var COLORS = { request: "#2da44e", app: "#0969da", none: "#e36209" };
  var UNREACHED = "#bbbbbb";
  var CATEGORY_NAMES = {
    "view": "Views", "request handler": "Request handlers", "CLI command": "CLI commands",
    "app context": "App context", "job": "Jobs", "thread": "Threads and processes",
    "import time": "Import time", "streamed body": "Streamed bodies", "with block": "with app_context() blocks"
  };
  var NEEDS = { request: "a request context", app: "an application context", url: "a request context (url_for)" };
  var OPEN_ALL_LIMIT = 1500;

  var openModules = new Set();
  var openPackages = new Set();
  var openCategories = new Set();
  var highlighted = null;  // {nodes: [logical ids], pairs: [[a, b]]}
  var selected = null;     // a logical id: "f3", "r2", "u1", "m4", "c0"
  var positions = {};
  var drawn = false;

  // ---- indexes ------------------------------------------------------------------------------
  // modules are grouped by package (templates in one group): a closed package is one node
  var packages = [], packageIndex = {};
  var modulePackage = D.modules.map(function (m) {
    var name = m.template ? "templates" : (m.name.indexOf(".") >= 0 ? m.name.slice(0, m.name.lastIndexOf(".")) : m.name);
    if (!(name in packageIndex)) { packageIndex[name] = packages.length; packages.push({ name: name, modules: [] }); }
    return packageIndex[name];
  });
  modulePackage.forEach(function (p, mi) { packages[p].modules.push(mi); });
  var moduleFunctions = D.modules.map(function () { return []; });
  D.functions.forEach(function (f, i) { moduleFunctions[f.m].push(i); });
  var categoryRoots = D.categories.map(function () { return []; });
  D.roots.forEach(function (r, i) { categoryRoots[D.categories.indexOf(r.cat)].push(i); });
  var callers = D.functions.map(function () { return []; });
  D.functions.forEach(function (f, i) { f.calls.forEach(function (j) { callers[j].push(i); }); });
  var useFunctions = D.uses.map(function () { return []; });
  D.functions.forEach(function (f, i) { f.u.forEach(function (u) { useFunctions[u[0]].push(i); }); });
  var onFinding = new Set();
  D.findings.forEach(function (f) { f.fns.forEach(function (i) { onFinding.add(i); }); });

  // ---- small DOM helpers: text only -----------------------------------------------------------
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  // ---- what is drawn: a node stands for itself, or for its closed module / category -----------
  function moduleId(mi) { return openPackages.has(modulePackage[mi]) ? "m" + mi : "p" + modulePackage[mi]; }
  function fnId(i) {
    var mi = D.functions[i].m;
    return openModules.has(mi) && openPackages.has(modulePackage[mi]) ? "f" + i : moduleId(mi);
  }
  function openModule(mi) { openModules.add(mi); openPackages.add(modulePackage[mi]); }
  function rootId(r) {
    var c = D.categories.indexOf(D.roots[r].cat);
    return openCategories.has(c) ? "r" + r : "c" + c;
  }
  function shown(id) {
    var kind = id.charAt(0), n = +id.slice(1);
    if (kind === "f") { return fnId(n); }
    if (kind === "r") { return rootId(n); }
    if (kind === "p") {
      if (openPackages.has(n)) { openPackages.delete(n); } else { openPackages.add(n); }
      selected = null; highlighted = null;
      redraw(["p" + n]);
      details([el("h3", packages[n].name), para(plural(packages[n].modules.length, "module") +
               (openPackages.has(n) ? "; click the package's frame to close it." : "."))]);
    } else if (kind === "m") { return moduleId(n); }
    return id;
  }

  function pie(contexts) {
    var d = { pr: 0, pa: 0, pn: 0, reached: contexts.length ? 1 : 0 };
    if (!contexts.length) { return d; }
    var share = 100 / contexts.length;
    contexts.forEach(function (c) { d[c === "request" ? "pr" : c === "app" ? "pa" : "pn"] = share; });
    return d;
  }
  function unionContexts(indexes) {
    var s = new Set();
    indexes.forEach(function (i) { D.functions[i].c.forEach(function (c) { s.add(c); }); });
    return Array.from(s);
  }
  function node(id, data, cls) {
    data.id = id;
    var n = { group: "nodes", data: data, classes: cls || "" };
    if (positions[id]) { n.position = { x: positions[id].x, y: positions[id].y }; }
    return n;
  }

  function elements() {
    var out = [];
    D.categories.forEach(function (cat, c) {
      var name = CATEGORY_NAMES[cat] || cat, roots = categoryRoots[c];
      if (openCategories.has(c)) {
        out.push(node("c" + c, { label: name }, "category open"));
        roots.forEach(function (r) {
          var root = D.roots[r], entry = D.functions[root.f];
          out.push(node("r" + r, { label: root.label + " " + entry.n, parent: "c" + c }, "root ctx-" + root.c));
        });
      } else {
        out.push(node("c" + c, { label: name + " (" + roots.length + ")" }, "category"));
      }
    });
    packages.forEach(function (p, pi) {
      var fns = [];
      p.modules.forEach(function (mi) { fns = fns.concat(moduleFunctions[mi]); });
      var bad = fns.some(function (i) { return onFinding.has(i); }) ? " bad" : "";
      if (!openPackages.has(pi)) {
        out.push(node("p" + pi, Object.assign({ label: p.name + " (" + plural(p.modules.length, "module") + ")" },
                                               pie(unionContexts(fns))), "package" + bad));
        return;
      }
      // an open package draws its modules side by side (a frame around frames makes the layout sprawl)
      p.modules.forEach(function (mi) {
        var m = D.modules[mi], mfns = moduleFunctions[mi];
        var cls = mfns.some(function (i) { return onFinding.has(i); }) ? " bad" : "";
        if (openModules.has(mi)) {
          out.push(node("m" + mi, { label: m.name }, "module open" + cls));
          mfns.forEach(function (i) {
            var f = D.functions[i];
            out.push(node("f" + i, Object.assign({ label: f.n, parent: "m" + mi }, pie(f.c)),
                          "function" + (onFinding.has(i) ? " bad" : "")));
          });
        } else {
          out.push(node("m" + mi, Object.assign({ label: m.name + " (" + mfns.length + ")" },
                                                pie(unionContexts(mfns))), "module" + cls));
        }
      });
    });
    if (D.uses.length) {
      out.push(node("uses", { label: "Context-bound uses" }, "usegroup"));
      D.uses.forEach(function (u, ui) {
        out.push(node("u" + ui, { label: u.text, parent: "uses" }, "use needs-" + u.needs));
      });
    }
    var seen = {};
    function edge(a, b, kind) {
      if (a === b) { return; }
      var key = a + ">" + b;
      if (seen[key]) { return; }
      seen[key] = true;
      out.push({ group: "edges", data: { id: "e" + a + "-" + b, source: a, target: b }, classes: kind });
    }
    D.roots.forEach(function (r, ri) {
      r.b.forEach(function (b) { edge(fnId(b), rootId(ri), "starts"); });
      edge(rootId(ri), fnId(r.f), "runs");
    });
    D.functions.forEach(function (f, i) {
      var a = fnId(i);
      f.calls.forEach(function (j) { edge(a, fnId(j), "calls"); });
      f.u.forEach(function (u) { edge(a, "u" + u[0], "uses"); });
    });
    return out;
  }

  // ---- the graph ------------------------------------------------------------------------------
  var style = [
    { selector: "node", style: {
      "label": "data(label)", "font-size": 10, "text-valign": "bottom", "text-margin-y": 3,
      "width": 18, "height": 18, "background-color": UNREACHED, "border-width": 1, "border-color": "#6e7781",
      "text-wrap": "ellipsis", "text-max-width": 140, "min-zoomed-font-size": 6 } },
    { selector: "node[pr]", style: {
      "pie-size": "100%", "pie-1-background-color": COLORS.request, "pie-1-background-size": "data(pr)",
      "pie-2-background-color": COLORS.app, "pie-2-background-size": "data(pa)",
      "pie-3-background-color": COLORS.none, "pie-3-background-size": "data(pn)" } },
    { selector: "node.module", style: { "shape": "round-rectangle", "width": 34, "height": 22 } },
    { selector: "node.package", style: { "shape": "barrel", "width": 44, "height": 28 } },
    { selector: "node.category", style: { "shape": "hexagon", "width": 34, "height": 28, "background-color": "#6639ba",
      "font-weight": "bold" } },
    { selector: "node.root", style: { "shape": "triangle", "width": 20, "height": 20 } },
    { selector: "node.root.ctx-request", style: { "background-color": COLORS.request } },
    { selector: "node.root.ctx-app", style: { "background-color": COLORS.app } },
    { selector: "node.root.ctx-none", style: { "background-color": COLORS.none } },
    { selector: "node.use", style: { "shape": "tag", "background-color": "#8250df", "width": 16, "height": 16 } },
    { selector: "node.use.needs-app", style: { "background-color": "#bf8700" } },
    { selector: ":parent", style: { "text-valign": "top", "text-margin-y": -3, "background-color": "#f6f8fa",
      "background-opacity": 0.6, "border-color": "#8c959f", "shape": "round-rectangle", "padding": 10,
      "font-weight": "bold" } },
    { selector: "node.category:parent", style: { "background-color": "#fbefff" } },
    { selector: "node.bad", style: { "border-color": "#cf222e", "border-width": 2 } },
    { selector: "edge", style: { "width": 1, "line-color": "#afb8c1", "target-arrow-color": "#afb8c1",
      "target-arrow-shape": "triangle", "arrow-scale": 0.7, "curve-style": "bezier", "opacity": 0.8 } },
    { selector: "edge.starts", style: { "line-style": "dashed", "line-color": "#6639ba", "target-arrow-color": "#6639ba" } },
    { selector: "edge.runs", style: { "line-color": "#6639ba", "target-arrow-color": "#6639ba" } },
    { selector: "edge.uses", style: { "line-color": "#c297ff", "target-arrow-color": "#c297ff" } },
    { selector: ".faded", style: { "opacity": 0.15 } },
    { selector: "node.hl", style: { "border-color": "#cf222e", "border-width": 4, "opacity": 1 } },
    { selector: "edge.hl", style: { "line-color": "#cf222e", "target-arrow-color": "#cf222e", "width": 3,
      "opacity": 1, "z-index": 10 } },
    { selector: "node:selected", style: { "border-color": "#0550ae", "border-width": 4, "overlay-opacity": 0 } }
  ];

  var cy = cytoscape({ container: document.getElementById("graph"), elements: [], style: style,
                       minZoom: 0.05, maxZoom: 4, boxSelectionEnabled: false });

  function redraw(fitTo) {
    cy.nodes().forEach(function (n) { positions[n.id()] = n.position(); });
    // a node about to appear starts where the closed node it came out of was
    var els = elements();
    els.forEach(function (e) {
      if (e.group !== "nodes" || e.position) { return; }
      var p = e.data.parent && positions[e.data.parent];
      if (p) { e.position = { x: p.x + (Math.random() - 0.5) * 40, y: p.y + (Math.random() - 0.5) * 40 }; }
    });
    cy.startBatch();
    cy.elements().remove();
    cy.add(els);
    cy.endBatch();
    var n = cy.nodes().length;
    // fCoSE; a strong pull inside frames and full-length edges between them keep the frames apart
    var layout = cy.layout({ name: "fcose", animate: false, randomize: !drawn, quality: n > 600 ? "default" : "proof",
                             nodeDimensionsIncludeLabels: true, nestingFactor: 1, gravityCompound: 3, fit: false });
    drawn = true;
    layout.run();
    applyHighlight();
    if (selected && cy.getElementById(shown(selected)).length) { cy.getElementById(shown(selected)).select(); }
    var target = fitTo ? cy.collection(fitTo.map(function (id) { return cy.getElementById(shown(id)); })) : null;
    if (target && target.length) {
      cy.fit(target, 60);
      if (cy.zoom() > 1.2) { cy.zoom(1.2); cy.center(target); }
    }
    else { cy.fit(undefined, 30); }
  }

  function applyHighlight() {
    cy.elements().removeClass("hl faded");
    if (!highlighted) { return; }
    var keep = cy.collection();
    highlighted.nodes.forEach(function (id) { keep = keep.union(cy.getElementById(shown(id))); });
    highlighted.pairs.forEach(function (p) {
      var a = shown(p[0]), b = shown(p[1]);
      if (a !== b) { keep = keep.union(cy.getElementById("e" + a + "-" + b)); }
    });
    keep = keep.union(keep.ancestors());
    cy.elements().not(keep).addClass("faded");
    keep.addClass("hl");
    keep.ancestors().removeClass("hl");
  }

  // ---- the side panel -------------------------------------------------------------------------
  function details(parts) {
    var box = document.getElementById("details");
    clear(box);
    parts.forEach(function (p) { box.appendChild(p); });
  }
  function para(text, cls) { return el("p", text, cls); }
  function list(items, onClick) {
    var ul = el("ul");
    items.forEach(function (it, k) {
      var li = el("li", it);
      if (onClick) { li.className = "link"; li.style.cursor = "pointer"; li.addEventListener("click", function () { onClick(k); }); }
      ul.appendChild(li);
    });
    return ul;
  }

  function showFunction(i) {
    var f = D.functions[i], m = D.modules[f.m];
    var parts = [el("h3", f.n), para(f.q, "code"), para(m.path + ":" + f.l, "code")];
    if (!f.c.length) {
      parts.push(para("No root reaches it: nothing ctxlint knows of runs this function."));
    } else {
      parts.push(para("Runs with " + f.c.map(function (c) { return D.contexts[c] || c; }).join("; ") + "."));
    }
    if (f.r.length) {
      parts.push(para("Reached from " + plural(f.r.length, "root") + ":"));
      var rs = f.r.slice(0, 30);
      parts.push(list(rs.map(function (r) {
        var root = D.roots[r];
        return (CATEGORY_NAMES[root.cat] || root.cat) + ": " + root.label + " " + D.functions[root.f].n +
          " (" + root.path + ":" + root.l + ")";
      }), function (k) { focusRoot(rs[k]); }));
    }
    if (f.u.length) {
      parts.push(para("Context-bound uses in it:"));
      parts.push(list(f.u.map(function (u) { return D.uses[u[0]].text + " (line " + u[1] + ")"; })));
    }
    parts.push(para("Calls " + plural(f.calls.length, "function") + "; called by " + plural(callers[i].length, "function") + "."));
    var through = D.findings.filter(function (x) { return x.fns.indexOf(i) >= 0; });
    if (through.length) {
      parts.push(para("Findings through it:"));
      parts.push(list(through.map(function (x) { return x.code + " " + x.path + ":" + x.line; }),
                      function (k) { showFinding(D.findings.indexOf(through[k])); }));
    }
    details(parts);
  }

  function showRoot(r) {
    var root = D.roots[r], f = D.functions[root.f];
    details([el("h3", root.label + " " + f.n), para(CATEGORY_NAMES[root.cat] || root.cat),
             para(root.path + ":" + root.l, "code"), para("Starts with " + (D.contexts[root.c] || root.c) + ".")]);
  }

  function showUse(u) {
    var use = D.uses[u], fns = useFunctions[u];
    details([el("h3", use.text), para("Needs " + (NEEDS[use.needs] || use.needs) + "."),
             para("Used in " + plural(fns.length, "function") + ":"),
             list(fns.slice(0, 50).map(function (i) { return D.functions[i].q; }), function (k) { focusFunction(fns[k]); })]);
  }

  function focusFunction(i) {
    var f = D.functions[i];
    openModule(f.m);
    selected = "f" + i;
    var near = ["f" + i], pairs = [];
    f.calls.forEach(function (j) { near.push("f" + j); pairs.push(["f" + i, "f" + j]); });
    callers[i].forEach(function (j) { near.push("f" + j); pairs.push(["f" + j, "f" + i]); });
    f.u.forEach(function (u) { near.push("u" + u[0]); pairs.push(["f" + i, "u" + u[0]]); });
    f.r.forEach(function (r) { if (D.roots[r].f === i) { near.push("r" + r); pairs.push(["r" + r, "f" + i]); } });
    highlighted = { nodes: near, pairs: pairs };
    redraw(near);
    showFunction(i);
  }

  function focusRoot(r) {
    var root = D.roots[r];
    openCategories.add(D.categories.indexOf(root.cat));
    openModule(D.functions[root.f].m);
    selected = "r" + r;
    highlighted = { nodes: ["r" + r, "f" + root.f], pairs: [["r" + r, "f" + root.f]] };
    redraw(["r" + r, "f" + root.f]);
    showRoot(r);
  }

  function showFinding(k) {
    var x = D.findings[k];
    var ids = [], pairs = [];
    x.fns.forEach(function (i) { openModule(D.functions[i].m); ids.push("f" + i); });
    for (var s = 0; s + 1 < x.fns.length; s++) { pairs.push(["f" + x.fns[s], "f" + x.fns[s + 1]]); }
    // the root the path starts at: the function run, started by the boundary
    D.roots.forEach(function (r, ri) {
      if (x.fns.length > 1 && r.f === x.fns[1] && r.b.indexOf(x.fns[0]) >= 0) {
        openCategories.add(D.categories.indexOf(r.cat));
        ids.push("r" + ri);
        pairs.push(["f" + x.fns[0], "r" + ri], ["r" + ri, "f" + x.fns[1]]);
      }
    });
    var last = x.fns[x.fns.length - 1];
    x.uses.forEach(function (u) {
      ids.push("u" + u);
      if (last !== undefined && D.functions[last].u.some(function (v) { return v[0] === u; })) { pairs.push(["f" + last, "u" + u]); }
    });
    highlighted = { nodes: ids, pairs: pairs };
    selected = null;
    redraw(ids);
    var items = document.querySelectorAll("#findings li");
    items.forEach(function (li, n) { li.classList.toggle("active", n === k); });
    details([el("h3", x.code + " " + x.path + ":" + x.line, "finding-code"), para(x.message),
             para("Path:"), list(x.fns.map(function (i) { return D.functions[i].q; }), function (n) { focusFunction(x.fns[n]); })]);
  }

  cy.on("tap", "node", function (evt) {
    var id = evt.target.id(), kind = id.charAt(0), n = +id.slice(1);
    if (id === "uses") { return; }
    if (kind === "p") {
      if (openPackages.has(n)) { openPackages.delete(n); } else { openPackages.add(n); }
      selected = null; highlighted = null;
      redraw(["p" + n]);
      details([el("h3", packages[n].name), para(plural(packages[n].modules.length, "module") +
               (openPackages.has(n) ? "; click the package's frame to close it." : "."))]);
    } else if (kind === "m") {
      if (openModules.has(n)) { openModules.delete(n); } else { openModules.add(n); }
      selected = null; highlighted = null;
      redraw(["m" + n]);
      var m = D.modules[n];
      details([el("h3", m.name), para(m.path, "code"), para(plural(moduleFunctions[n].length, "function") +
               (openModules.has(n) ? "; click the module's frame to close it." : "."))]);
    } else if (kind === "c") {
      if (openCategories.has(n)) { openCategories.delete(n); } else { openCategories.add(n); }
      highlighted = null;
      redraw(["c" + n]);
      details([el("h3", CATEGORY_NAMES[D.categories[n]] || D.categories[n]), para(plural(categoryRoots[n].length, "root"))]);
    } else if (kind === "f") { focusFunction(n); }
    else if (kind === "r") { focusRoot(n); }
    else if (kind === "u") { showUse(n); }
  });
  cy.on("tap", function (evt) {
    if (evt.target === cy) { highlighted = null; applyHighlight(); }
  });

  // ---- search ---------------------------------------------------------------------------------
  var search = document.getElementById("search"), results = document.getElementById("results");
  function runSearch() {
    clear(results);
    var q = search.value.trim().toLowerCase();
    if (!q) { return []; }
    var found = [];
    for (var i = 0; i < D.functions.length && found.length < 50; i++) {
      var f = D.functions[i];
      if (f.n.toLowerCase().indexOf(q) >= 0 || f.q.toLowerCase().indexOf(q) >= 0) { found.push(i); }
    }
    found.forEach(function (i) {
      var li = el("li", D.functions[i].n);
      li.appendChild(el("div", D.functions[i].q, "sub"));
      li.addEventListener("click", function () { focusFunction(i); });
      results.appendChild(li);
    });
    if (!found.length) { results.appendChild(el("li", "no function matches", "sub")); }
    return found;
  }
  search.addEventListener("input", runSearch);
  search.addEventListener("keydown", function (e) {
    if (e.key === "Enter") { var found = runSearch(); if (found.length) { focusFunction(found[0]); } }
  });

  // ---- the rest of the panel ------------------------------------------------------------------
  document.title = "ctxlint map — " + D.title;
  document.getElementById("title").textContent = "ctxlint map — " + D.title;
  document.getElementById("stats").textContent = plural(D.functions.length, "function") + ", " +
    plural(D.roots.length, "root") + ", " + plural(D.findings.length, "finding");
  var legend = document.getElementById("legend");
  Object.keys(D.contexts).forEach(function (c) {
    var li = el("li"), sw = el("span", null, "swatch");
    sw.style.background = COLORS[c];
    li.appendChild(sw); li.appendChild(el("span", "runs with " + D.contexts[c]));
    legend.appendChild(li);
  });
  [["#bbbbbb", "no root reaches it"], ["#8250df", "request-bound use"], ["#bf8700", "app-bound use"]].forEach(function (p) {
    var li = el("li"), sw = el("span", null, "swatch");
    sw.style.background = p[0];
    li.appendChild(sw); li.appendChild(el("span", p[1]));
    legend.appendChild(li);
  });
  var cats = document.getElementById("categories");
  D.categories.forEach(function (cat, c) {
    var li = el("li", (CATEGORY_NAMES[cat] || cat) + " (" + categoryRoots[c].length + ")");
    li.addEventListener("click", function () {
      if (openCategories.has(c)) { openCategories.delete(c); } else { openCategories.add(c); }
      highlighted = null; redraw(["c" + c]);
    });
    cats.appendChild(li);
  });
  var fl = document.getElementById("findings");
  if (!D.findings.length) { fl.appendChild(el("li", "none", "sub")); }
  D.findings.forEach(function (x, k) {
    var li = el("li");
    li.appendChild(el("span", x.code + " ", "finding-code"));
    li.appendChild(el("span", x.path + ":" + x.line));
    li.appendChild(el("div", x.message, "sub"));
    li.addEventListener("click", function () { showFinding(k); });
    fl.appendChild(li);
  });
  var expand = document.getElementById("expand");
  if (D.functions.length > OPEN_ALL_LIMIT) {
    expand.disabled = true;
    expand.title = "Too many functions to draw at once: open modules one by one, or search";
  }
  expand.addEventListener("click", function () {
    D.modules.forEach(function (m, mi) { openModule(mi); });
    D.categories.forEach(function (c, ci) { openCategories.add(ci); });
    highlighted = null; redraw(null);
  });
  document.getElementById("collapse").addEventListener("click", function () {
    openModules.clear(); openPackages.clear(); openCategories.clear(); highlighted = null; selected = null;
    redraw(null);
  });
  document.getElementById("fit").addEventListener("click", function () { cy.fit(undefined, 30); });

  // small projects open whole; larger ones start with their packages (or only their modules) closed
  if (D.functions.length <= 60) {
    D.modules.forEach(function (m, mi) { openModule(mi); });
    D.categories.forEach(function (c, ci) { openCategories.add(ci); });
  } else if (D.modules.length <= 40) {
    packages.forEach(function (p, pi) { openPackages.add(pi); });
  }
  redraw(null);
  window.ctxlintMap = { cy: cy, focusFunction: focusFunction, showFinding: showFinding };
}());
