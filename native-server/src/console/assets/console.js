"use strict";
(function () {
  const $ = (s) => document.querySelector(s);
  const esc = (s) => String(s == null ? "" : s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  const params = new URLSearchParams(location.search);
  if (params.get("token")) sessionStorage.setItem("kilnToken", params.get("token"));
  const token = () => $("#token").value || sessionStorage.getItem("kilnToken") || "";
  const withToken = (u) => token() ? u + (u.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(token()) : u;
  async function api(method, url) {
    const h = {};
    if (token()) h["Authorization"] = "Bearer " + token();
    const r = await fetch(url, { method, headers: h });
    let body; try { body = await r.json(); } catch (e) { body = {}; }
    return { status: r.status, body };
  }
  // Seed 001 lights: red down/starting, orange PASSIVE-UNINITIALIZED/INITIALIZING, cyan PASSIVE-STANDBY, green active.
  function light(state) {
    if (state === "ACTIVE-COORDINATOR") return "green";
    if (state === "PASSIVE-STANDBY") return "cyan";
    if (state === "PASSIVE-UNINITIALIZED" || state === "INITIALIZING") return "orange";
    return "red";
  }
  const fmtBytes = (b) => b == null ? "?" : b > 1e9 ? (b / 1e9).toFixed(1) + " GB" : (b / 1e6).toFixed(0) + " MB";
  const fmtUp = (s) => s == null ? "—" : s >= 3600 ? Math.floor(s / 3600) + "h " + Math.floor(s % 3600 / 60) + "m" : s >= 60 ? Math.floor(s / 60) + "m " + (s % 60) + "s" : s + "s";

  // Tabs
  document.querySelectorAll("#tabs button").forEach((b) => b.onclick = () => show(b.dataset.tab));
  function show(tab) {
    document.querySelectorAll("#tabs button").forEach((x) => x.classList.toggle("active", x.dataset.tab === tab));
    document.querySelectorAll(".tab").forEach((x) => x.classList.toggle("active", x.id === "tab-" + tab));
    if (tab === "roots") loadRoots();
    if (tab === "locks") loadLocks();
    if (tab === "stats") loadStats();
  }

  // Topology (server-sent events, one snapshot a second)
  let last = null;
  const history = [];
  function renderTopology(t) {
    last = t;
    $("#server-name").textContent = t.server;
    const st = $("#server-state"); st.textContent = t.state; st.className = "pill";
    $("#groups").innerHTML = t.groups.map((g) => `<div class="group" data-group="${esc(g.name)}"><h3>${esc(g.name)}</h3><div class="servers">` +
      g.servers.map((s) => {
        const dd = s.data_dir || {};
        const sync = s.sync && s.sync.total ? Math.min(100, Math.round(100 * s.sync.objects / s.sync.total)) : null;
        return `<div class="server" data-server="${esc(s.name)}" data-state="${esc(s.state)}"><div class="head"><span class="light ${light(s.state)}" title="${esc(s.state)}"></span>${esc(s.name)}<span class="pill state">${esc(s.state)}</span></div>
        <div class="kv"><span>role</span><span>${esc(s.role)}${s.source === "self" ? " (this server)" : s.source === "ha-view" ? " (HA view)" : ""}</span>
        <span>epoch</span><span>${esc(s.epoch == null ? "—" : s.epoch)}</span><span>uptime</span><span>${fmtUp(s.uptime_secs)}</span>
        <span>data dir</span><span>${s.reachable ? (dd.exists ? (dd.writable ? "writable" : "<b class=err>not writable</b>") : "not created") + ", " + fmtBytes(dd.free_bytes) + " free" + (s.storage && s.storage.healthy === false ? " <b class=err>store unhealthy</b>" : "") : "—"}</span>
        <span>replication lag</span><span>${esc(s.replication_lag == null ? "—" : s.replication_lag)}</span>
        <span>address</span><span>${esc(s.dso_addr)}</span>${s.error ? `<span>error</span><span class="err">${esc(s.error)}</span>` : ""}</div>
        ${sync != null ? `<div class="muted" style="margin-top:6px">passive sync ${sync}%</div><div class="progress"><div style="width:${sync}%"></div></div>` : ""}</div>`;
      }).join("") + "</div></div>").join("");
    $("#clients tbody").innerHTML = t.clients.length ? t.clients.map((c) => `<tr data-client="${c.id}"><td>${c.id}</td><td>${esc(c.name)}</td><td>${c.pid}</td><td>${esc(c.host)}</td><td>${c.txn_per_s}</td><td>${c.faults_per_s}</td><td>${c.resident}</td><td>${c.locks_held}</td><td>${c.reconnecting ? '<span class="err">reconnecting</span>' : '<span class="ok">connected</span>'}</td></tr>`).join("") : `<tr><td colspan="9" class="muted">no clients connected</td></tr>`;
    $("#clients-from").textContent = t.clients_from && t.clients_from !== t.server ? `(connected to ${t.clients_from}, the active; lock dumps go to its console)` : "";
    const sel = $("#dump-client"), cur = sel.value;
    sel.innerHTML = t.clients.map((c) => `<option value="${c.id}">${c.id} ${esc(c.name)} (pid ${c.pid})</option>`).join("");
    if (cur) sel.value = cur;
    $("#auth-note").textContent = t.auth.token_required_for_actions ? "this server requires the token for actions" + (t.auth.token_required_for_all ? " and for every page" : "") : "no token configured: actions are accepted from loopback only";
    history.push({ t: t.t, txns: t.totals.txns_committed, faulted: t.totals.objects_faulted, objects: t.totals.objects, syncs: t.syncs, batches: t.totals.batches_committed });
    if (history.length > 300) history.shift();
    if ($("#tab-stats").classList.contains("active") && statsLocal) drawLocal();
  }
  function connect() {
    const es = new EventSource(withToken("/api/events"));
    es.addEventListener("topology", (e) => { $("#live").textContent = "live " + new Date().toLocaleTimeString(); $("#live").className = "live ok"; renderTopology(JSON.parse(e.data)); });
    es.onerror = () => { $("#live").textContent = "disconnected: retrying"; $("#live").className = "live err"; };
  }
  api("GET", "/api/topology").then((r) => { if (r.status === 200) renderTopology(r.body); });
  connect();

  // Roots and objects
  const trail = [];
  async function loadRoots() {
    const r = await api("GET", "/api/roots?limit=1000");
    if (r.status !== 200) { $("#roots tbody").innerHTML = `<tr><td colspan=3 class=err>${esc(r.body.error || r.status)}</td></tr>`; return; }
    $("#roots tbody").innerHTML = r.body.roots.length ? r.body.roots.map((x) => `<tr data-root="${esc(x.name)}"><td>${esc(x.name)}</td><td>${val(x.value)}</td><td class="muted">${esc(x.class || "")}</td></tr>`).join("") : `<tr><td colspan=3 class=muted>no roots</td></tr>`;
  }
  function val(v) {
    if (v.type === "ref") return `<a class="ref" data-id="${esc(v.id)}">${esc(v.text)}</a>`;
    return `<span title="${esc(v.type)}">${esc(v.type === "str" ? '"' + v.text + '"' : v.text)}</span>`;
  }
  document.addEventListener("click", (e) => {
    const a = e.target.closest(".ref");
    if (a) { e.preventDefault(); openObject(a.dataset.id, 0, true); }
  });
  async function openObject(id, offset, push) {
    const r = await api("GET", `/api/objects/${encodeURIComponent(id)}?offset=${offset}&limit=50`);
    if (r.status !== 200) { $("#object").innerHTML = `<span class=err>${esc(r.body.error || r.status)}</span>`; return; }
    const o = r.body;
    if (push && (!trail.length || trail[trail.length - 1].id !== o.id)) trail.push({ id: o.id, label: o.label });
    $("#crumbs").innerHTML = trail.map((x, i) => `<a class="crumb" data-i="${i}">${esc(x.label)}</a>`).join(" › ");
    document.querySelectorAll(".crumb").forEach((c) => c.onclick = () => { const i = +c.dataset.i; trail.splice(i + 1); openObject(trail[i].id, 0, false); });
    $("#obj-title").textContent = `${o.label} ${o.class}`;
    const head = o.kind === "object" ? "<th>field</th><th>value</th>" : (o.kind === "map" || o.kind === "sorted-map") ? "<th>key</th><th>value</th>" : "<th>#</th><th>value</th>";
    const rows = o.entries.map((e) => `<tr>${e.field != null ? `<td>${esc(e.field)}</td>` : e.key ? `<td>${val(e.key)}</td>` : `<td>${e.index}</td>`}<td>${val(e.value)}</td></tr>`).join("");
    const pages = o.size > o.limit ? `<div class="bar">entries ${o.offset + 1}–${Math.min(o.size, o.offset + o.limit)} of ${o.size} <button id="pg-prev" ${o.offset === 0 ? "disabled" : ""}>‹ prev</button><button id="pg-next" ${o.offset + o.limit >= o.size ? "disabled" : ""}>next ›</button></div>` : "";
    $("#object").innerHTML = `<div class="kv" id="object-meta"><span>class</span><span>${esc(o.class)}</span><span>kind</span><span>${esc(o.kind)} (${o.size} ${o.kind === "object" ? "fields" : "entries"})</span><span>version</span><span>gtx ${o.version}</span><span>resident at</span><span>${o.resident_at.map((c) => esc(c.name + " #" + c.id)).join(", ") || "no client"}</span>${o.roots.length ? `<span>root of</span><span>${o.roots.map(esc).join(", ")}</span>` : ""}</div>${pages}<table id="entries"><thead><tr>${head}</tr></thead><tbody>${rows || '<tr><td colspan=2 class=muted>empty</td></tr>'}</tbody></table>`;
    if (pages) { $("#pg-prev").onclick = () => openObject(o.id, Math.max(0, o.offset - o.limit), false); $("#pg-next").onclick = () => openObject(o.id, o.offset + o.limit, false); }
  }

  // Locks (the profiler's /api/locks)
  let profilerOn = false;
  async function loadLocks() {
    const r = await api("GET", `/api/locks?top=${$("#lock-top").value}&sort=${$("#lock-sort").value}`);
    if (r.status === 404) { $("#locks").innerHTML = `<p class="muted" id="locks-na">Lock profiler not available on this server (no /api/locks).</p>`; $("#profiler-toggle").disabled = true; return; }
    if (r.status !== 200) { $("#locks").innerHTML = `<p class=err>${esc(r.body.error || r.status)}</p>`; return; }
    profilerOn = !!r.body.enabled;
    $("#profiler-toggle").textContent = profilerOn ? "disable profiler" : "enable profiler";
    const us = (x) => x == null ? "—" : x >= 1000 ? (x / 1000).toFixed(1) + " ms" : Math.round(x) + " µs";
    $("#locks").innerHTML = `<p class="muted">profiler ${profilerOn ? "on" : "off"}</p><table id="lock-table"><thead><tr><th>lock</th><th>kind</th><th>requests</th><th>awards</th><th>recalls</th><th>contended</th><th>hold mean</th><th>hold max</th><th>wait mean</th><th>wait max</th><th>holders</th><th>queue</th></tr></thead><tbody>` +
      (r.body.locks.map((l) => `<tr data-lock="${esc(l.lock)}"><td>${esc(l.lock)}</td><td>${esc(l.kind)}</td><td>${l.requests}</td><td>${l.awards}</td><td>${l.recalls}</td><td>${l.contended}</td><td>${us(l.hold_mean_us)}</td><td>${us(l.hold_max_us)}</td><td>${us(l.wait_mean_us)}</td><td>${us(l.wait_max_us)}</td><td>${esc((l.holders || []).join(", "))}</td><td>${esc((l.queue || []).join(", "))}</td></tr>`).join("") || `<tr><td colspan=12 class=muted>no locks</td></tr>`) + "</tbody></table>";
  }
  $("#lock-sort").onchange = loadLocks; $("#lock-top").onchange = loadLocks;
  $("#profiler-toggle").onclick = async () => { const r = await api("POST", `/api/profiler?enabled=${!profilerOn}`); if (r.status >= 400) alert(r.body.error || r.status); loadLocks(); };
  setInterval(() => { if ($("#tab-locks").classList.contains("active")) loadLocks(); }, 2000);

  // Stats: /api/stats if the server has it, else the live totals this page collected
  let statsLocal = false;
  function chart(title, pts, unit) {
    const W = 400, H = 120, n = pts.length;
    const max = Math.max(1e-9, ...pts.map((p) => p[1]));
    const t0 = n ? pts[0][0] : 0, t1 = n ? pts[n - 1][0] : 1, span = Math.max(1, t1 - t0);
    const path = pts.map((p, i) => (i ? "L" : "M") + ((p[0] - t0) / span * W).toFixed(1) + "," + (H - p[1] / max * (H - 10)).toFixed(1)).join("");
    const lastV = n ? pts[n - 1][1] : 0;
    return `<div class="chart"><h4>${esc(title)}<span class="val">${lastV.toFixed(1)} ${esc(unit)}</span></h4><svg viewBox="0 0 ${W} ${H}" width="100%" height="${H}" preserveAspectRatio="none">
      <line x1="0" y1="${H - 0.5}" x2="${W}" y2="${H - 0.5}" stroke="#2a3a4a"/><text x="4" y="12" fill="#8aa0b4" font-size="10">max ${max.toFixed(1)}</text>
      ${n > 1 ? `<path d="${path} L${W},${H} L0,${H} Z" fill="rgba(57,197,207,.12)"/><path d="${path}" fill="none" stroke="#39c5cf" stroke-width="1.6"/>` : `<text x="${W / 2 - 40}" y="${H / 2}" fill="#8aa0b4" font-size="11">collecting…</text>`}</svg></div>`;
  }
  function dgcTable(runs) {
    $("#dgc").innerHTML = runs.length ? `<table><thead><tr><th>time</th><th>collected</th><th>duration</th></tr></thead><tbody>${runs.slice().reverse().map((d) => `<tr><td>${new Date(d.t).toLocaleTimeString()}</td><td>${d.collected}</td><td>${d.duration_ms} ms</td></tr>`).join("")}</tbody></table>` : `<p class=muted>no DGC run yet</p>`;
  }
  function drawLocal() {
    const rate = (k) => history.slice(1).map((h, i) => [h.t, Math.max(0, (h[k] - history[i][k]) / Math.max(0.001, (h.t - history[i].t) / 1000))]);
    const cps = history.slice(1).map((h, i) => { const ds = (h.syncs || 0) - (history[i].syncs || 0); return [h.t, ds > 0 ? (h.batches - history[i].batches) / ds : 0]; });
    $("#charts").innerHTML = chart("transactions / s", rate("txns"), "txn/s") + chart("commits per sync", cps, "") + chart("faults / s", rate("faulted"), "obj/s") + chart("objects", history.map((h) => [h.t, h.objects]), "");
    const d = last && last.last_dgc;
    dgcTable(d ? [{ t: last.t, collected: d.removed, duration_ms: Math.round((d.mark_micros + d.sweep_micros) / 1000) }] : []);
  }
  async function loadStats() {
    const r = await api("GET", "/api/stats");
    if (r.status === 404) { statsLocal = true; $("#stats-note").textContent = "Server-side stats history not available on this server (no /api/stats): charts show what this page has seen since it opened."; drawLocal(); return; }
    if (r.status !== 200) { $("#stats-note").innerHTML = `<span class=err>${esc(r.body.error || r.status)}</span>`; return; }
    statsLocal = false; $("#stats-note").textContent = `sampled every ${r.body.interval_ms} ms`;
    const s = r.body.samples;
    $("#charts").innerHTML = chart("transactions / s", s.map((x) => [x.t, x.txn_per_s]), "txn/s") + chart("commits per sync", s.map((x) => [x.t, x.commits_per_sync]), "") + chart("faults / s", s.map((x) => [x.t, x.faults_per_s]), "obj/s") + chart("objects", s.map((x) => [x.t, x.objects]), "");
    dgcTable(r.body.dgc);
  }
  setInterval(() => { if ($("#tab-stats").classList.contains("active") && !statsLocal) loadStats(); }, 2000);

  // Actions, each behind a confirmation dialog
  if (sessionStorage.getItem("kilnToken")) $("#token").value = sessionStorage.getItem("kilnToken");
  $("#token").onchange = () => sessionStorage.setItem("kilnToken", $("#token").value);
  function confirmThen(text, fn) {
    $("#modal-text").textContent = text; $("#modal").classList.remove("hidden");
    $("#modal-ok").onclick = () => { $("#modal").classList.add("hidden"); fn(); };
    $("#modal-cancel").onclick = () => $("#modal").classList.add("hidden");
  }
  function result(r) { const el = $("#action-result"); el.className = r.status >= 400 ? "err" : "ok"; el.textContent = "HTTP " + r.status + "\n" + JSON.stringify(r.body, null, 2); }
  $("#act-dgc").onclick = () => confirmThen("Run a distributed garbage collection now on " + (last ? last.server : "this server") + "?", async () => result(await api("POST", "/dgc")));
  $("#act-stop").onclick = () => confirmThen("Stop server " + (last ? last.server : "") + ($("#stop-force").checked ? " (forced)" : "") + "?", async () => result(await api("POST", $("#stop-force").checked ? "/stop?force=true" : "/stop")));
  $("#act-dump").onclick = () => { const id = $("#dump-client").value; if (!id) return; confirmThen("Dump the locks of client " + id + " (also written to the server log)?", async () => result(await api("POST", `/api/clients/${id}/dump-locks`))); };
})();
