// zarya: progressive enhancement of the sightings page. The page works without this file;
// with it: place suggestions as you type (an ARIA combobox), the browser's location, sky
// charts shown in the table, and a live map (the position from /api/now every 5 s, the
// whole map every minute).
"use strict";

(function () {
  const form = document.getElementById("where");
  const input = document.getElementById("place");
  const list = document.getElementById("place-suggestions");
  const lat = document.getElementById("lat");
  const lon = document.getElementById("lon");

  // ------------------------------------------------------------------ suggestions
  if (form && input && list) {
    let places = [];
    let active = -1;
    let timer = null;
    let asked = 0;

    const close = () => {
      list.hidden = true;
      list.replaceChildren();
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    };
    const highlight = (k) => {
      const items = list.querySelectorAll("li");
      items.forEach((li, i) => li.setAttribute("aria-selected", i === k ? "true" : "false"));
      active = k;
      if (k >= 0 && items[k]) {
        input.setAttribute("aria-activedescendant", items[k].id);
        items[k].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    };
    const pick = (k) => {
      const p = places[k];
      if (!p) return;
      input.value = p.label;
      lat.value = p.lat_deg;
      lon.value = p.lon_deg;
      close();
      form.submit();
    };
    const show = (found) => {
      places = found;
      list.replaceChildren();
      found.forEach((p, i) => {
        const li = document.createElement("li");
        li.id = "place-option-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = p.label;
        const small = document.createElement("small");
        const where = p.kind === "site" ? p.description : p.timezone;
        small.textContent = where + (p.population ? ", " + p.population.toLocaleString("en") + " people" : "");
        li.appendChild(small);
        li.addEventListener("mousedown", (e) => { e.preventDefault(); pick(i); });
        list.appendChild(li);
      });
      const open = found.length > 0;
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      active = -1;
    };
    const ask = async () => {
      const q = input.value.trim();
      if (q.length < 2) { close(); return; }
      const mine = ++asked;
      try {
        const r = await fetch("/api/places?limit=8&q=" + encodeURIComponent(q));
        if (!r.ok || mine !== asked) return;
        show((await r.json()).places);
      } catch (e) { /* offline: the form still works */ }
    };
    input.addEventListener("input", () => {
      lat.value = "";  // a typed name replaces the coordinates of an earlier pick
      lon.value = "";
      clearTimeout(timer);
      timer = setTimeout(ask, 120);
    });
    input.addEventListener("keydown", (e) => {
      if (list.hidden) return;
      if (e.key === "ArrowDown") { e.preventDefault(); highlight(Math.min(active + 1, places.length - 1)); }
      else if (e.key === "ArrowUp") { e.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (e.key === "Enter" && active >= 0) { e.preventDefault(); pick(active); }
      else if (e.key === "Escape") { e.preventDefault(); close(); }
    });
    input.addEventListener("blur", () => setTimeout(close, 150));

    // ------------------------------------------------------------- your location
    const wrap = document.getElementById("locate-wrap");
    const locate = document.getElementById("locate");
    if (wrap && locate && navigator.geolocation) {
      wrap.hidden = false;
      locate.addEventListener("click", () => {
        locate.disabled = true;
        navigator.geolocation.getCurrentPosition(
          (pos) => {
            lat.value = pos.coords.latitude.toFixed(2);
            lon.value = pos.coords.longitude.toFixed(2);
            input.value = "My location";
            form.submit();
          },
          (err) => {
            locate.disabled = false;
            const help = document.getElementById("place-help");
            if (help) help.append(" (No location: " + err.message + ")");
          },
          { maximumAge: 600000, timeout: 10000 }
        );
      });
    }
  }

  // ----------------------------------------------------------------- sky charts
  document.querySelectorAll("a.chart-link").forEach((a) => {
    const row = document.getElementById(a.getAttribute("aria-controls"));
    if (!row) return;
    a.setAttribute("aria-expanded", "false");
    a.addEventListener("click", (e) => {
      e.preventDefault();
      const img = row.querySelector("img");
      if (img && !img.getAttribute("src")) img.setAttribute("src", img.dataset.src);
      row.hidden = !row.hidden;
      a.setAttribute("aria-expanded", row.hidden ? "false" : "true");
    });
  });

  // ------------------------------------------------------------------- live map
  const map = document.getElementById("map");
  if (map && map.dataset.at) {
    const t0 = Date.parse(map.dataset.at);
    const started = Date.now();
    const live = map.dataset.live === "1";
    const query = map.dataset.query ? "&" + map.dataset.query : "";
    const caption = document.getElementById("map-caption");
    const instant = () => (live ? new Date() : new Date(t0 + (Date.now() - started)));
    const iso = (d) => d.toISOString().replace(/\.\d+Z$/, "Z");
    const deg = (x, pos, neg) => Math.abs(x).toFixed(1) + "\u00b0 " + (x >= 0 ? pos : neg);
    const when = (d) => d.toISOString().slice(0, 16).replace("T", " ") + " UTC";

    const moveMarker = async () => {
      try {
        const r = await fetch("/api/now?at=" + encodeURIComponent(iso(instant())));
        if (!r.ok) return;
        const now = await r.json();
        const marker = document.getElementById("sat-marker");
        if (marker) {
          marker.setAttribute("cx", now.lon_deg.toFixed(2));
          marker.setAttribute("cy", (-now.lat_deg).toFixed(2));
        }
        if (caption) {
          caption.textContent = "At " + when(new Date(now.time)) + ": over " + now.over +
            " (" + deg(now.lat_deg, "N", "S") + ", " + deg(now.lon_deg, "E", "W") + "), " +
            Math.round(now.alt_km) + " km up, " + now.speed_km_s.toFixed(2) + " km/s, " +
            now.sunlight + ".";
        }
      } catch (e) { /* keep the last position */ }
    };
    const redraw = async () => {
      try {
        const r = await fetch("/charts/map.svg?at=" + encodeURIComponent(iso(instant())) + query);
        if (!r.ok) return;
        const text = await r.text();
        const doc = new DOMParser().parseFromString(text, "image/svg+xml");
        const svg = doc.documentElement;
        if (svg && svg.nodeName === "svg") {
          document.getElementById("map-svg").replaceChildren(document.importNode(svg, true));
        }
      } catch (e) { /* keep the last map */ }
    };
    setTimeout(moveMarker, 1000);
    setInterval(moveMarker, 5000);
    setInterval(redraw, 60000);
  }
})();
