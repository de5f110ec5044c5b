// The designer page: keeps the values of both schemes, shows the selected
// scheme's values in the controls, pushes every change into the preview
// frames as inline custom properties (so a preview updates without a
// reload), recomputes the contrast table, and saves through the API.
"use strict";

(function () {
  const AA = 4.5;
  let state = null; // GET api/state
  let theme = { light: {}, dark: {} };
  let scheme = "light";
  const seen = new Map(); // input -> last value handled

  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

  // --- colours (the same rules as internal/theme/validate.go) -------------

  function parseNumber(s) {
    s = s.trim();
    if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(s)) return null;
    return parseFloat(s);
  }
  function parsePercent(s) {
    s = s.trim();
    if (!s.endsWith("%")) return null;
    const f = parseNumber(s.slice(0, -1));
    return f === null || f < 0 || f > 100 ? null : f / 100;
  }
  function parseChannel(s) {
    if (s.trim().endsWith("%")) return parsePercent(s);
    const f = parseNumber(s);
    return f === null || f < 0 || f > 255 ? null : f / 255;
  }
  function parseAlpha(s) {
    if (s.trim().endsWith("%")) return parsePercent(s);
    const f = parseNumber(s);
    return f === null || f < 0 || f > 1 ? null : f;
  }
  function hsl(h, s, l) {
    h = ((h % 360) + 360) % 360;
    const c = (1 - Math.abs(2 * l - 1)) * s;
    const x = c * (1 - Math.abs(((h / 60) % 2) - 1));
    const m = l - c / 2;
    const t = [[c, x, 0], [x, c, 0], [0, c, x], [0, x, c], [x, 0, c], [c, 0, x]][Math.min(5, Math.floor(h / 60))];
    return [t[0] + m, t[1] + m, t[2] + m];
  }
  function parseColour(s) {
    s = (s || "").trim().toLowerCase();
    if (s.startsWith("#")) {
      let h = s.slice(1);
      if (!/^[0-9a-f]+$/.test(h)) return null;
      if (h.length === 3 || h.length === 4) h = h.split("").map((c) => c + c).join("");
      if (h.length === 6) h += "ff";
      if (h.length !== 8) return null;
      const n = [0, 2, 4, 6].map((i) => parseInt(h.slice(i, i + 2), 16) / 255);
      return { r: n[0], g: n[1], b: n[2], a: n[3] };
    }
    const m = /^([a-z]+)\((.*)\)$/.exec(s);
    if (!m) return null;
    let args;
    if (m[2].includes(",")) {
      args = m[2].split(",").map((a) => a.trim());
      if (args.some((a) => a === "")) return null;
    } else {
      const [head, alpha, extra] = m[2].split("/");
      if (extra !== undefined) return null;
      args = head.trim().split(/\s+/);
      if (alpha !== undefined) args.push(alpha.trim());
    }
    if (args.length < 3 || args.length > 4) return null;
    const a = args.length === 4 ? parseAlpha(args[3]) : 1;
    if (a === null) return null;
    if (m[1] === "rgb" || m[1] === "rgba") {
      const c = args.slice(0, 3).map(parseChannel);
      if (c.includes(null)) return null;
      return { r: c[0], g: c[1], b: c[2], a: a };
    }
    if (m[1] === "hsl" || m[1] === "hsla") {
      const h = parseNumber(args[0].replace(/deg$/, ""));
      const sat = parsePercent(args[1]);
      const l = parsePercent(args[2]);
      if (h === null || sat === null || l === null) return null;
      const rgb = hsl(h, sat, l);
      return { r: rgb[0], g: rgb[1], b: rgb[2], a: a };
    }
    return null;
  }
  function blend(c, under) {
    const mix = (x, y) => x * c.a + y * (1 - c.a);
    return { r: mix(c.r, under.r), g: mix(c.g, under.g), b: mix(c.b, under.b), a: 1 };
  }
  function luminance(c) {
    const lin = (v) => (v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
    return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
  }
  function ratio(a, b) {
    let la = luminance(a), lb = luminance(b);
    if (la < lb) [la, lb] = [lb, la];
    return (la + 0.05) / (lb + 0.05);
  }
  function hex(c) {
    const to = (f) => Math.round(Math.max(0, Math.min(1, f)) * 255).toString(16).padStart(2, "0");
    return "#" + to(c.r) + to(c.g) + to(c.b);
  }

  // --- values -------------------------------------------------------------

  function effective(s) {
    const out = Object.assign({}, theme.light);
    if (s === "dark") Object.assign(out, theme.dark);
    return out;
  }

  function pairRatio(vals, p) {
    let fg = parseColour(vals[p.fg]);
    let bg = parseColour(vals[p.bg]);
    if (!fg || !bg) return null;
    let base = { r: 1, g: 1, b: 1, a: 1 };
    if (p.over) {
      const over = parseColour(vals[p.over]);
      if (!over) return null;
      base = blend(over, base);
    }
    bg = blend(bg, base);
    return ratio(blend(fg, bg), bg);
  }

  function renderContrast() {
    const vals = effective(scheme);
    state.pairs.forEach((p, i) => {
      const row = $('#contrast tr[data-pair="' + i + '"]');
      if (!row) return;
      const r = pairRatio(vals, p);
      const ok = r !== null && r >= AA;
      row.dataset.ok = String(ok);
      $(".d-ratio", row).textContent = r === null ? "n/a" : (Math.round(r * 100) / 100).toFixed(2) + ":1";
      $(".d-verdict", row).textContent = r === null ? "not a colour" : ok ? "pass" : "below AA";
    });
  }

  function applyToFrame(frame) {
    let doc;
    try {
      doc = frame.contentDocument;
    } catch (e) {
      return;
    }
    if (!doc || !doc.documentElement) return;
    const vals = effective(scheme);
    const style = doc.documentElement.style;
    for (const v of state.variables) {
      if (vals[v.name]) style.setProperty(v.name, vals[v.name]);
      else style.removeProperty(v.name);
    }
    style.setProperty("color-scheme", scheme);
  }

  function applyToPreviews() {
    $$(".d-preview iframe").forEach(applyToFrame);
  }

  function showRow(row) {
    const name = row.dataset.var;
    const text = $('input[type="text"]', row);
    const picker = $(".d-picker", row);
    const inherited = scheme === "dark" && !(name in theme.dark);
    const value = effective(scheme)[name] || "";
    text.defaultValue = value;
    text.value = value;
    seen.set(text, value);
    if (picker) {
      const c = parseColour(value);
      if (c) picker.value = hex(c);
    }
    row.classList.toggle("d-inherited", inherited);
    $(".d-note", row).hidden = !inherited;
    $(".d-inherit", row).hidden = !(scheme === "dark" && name in theme.dark);
  }

  function refresh() {
    $$(".d-row").forEach(showRow);
    renderContrast();
    applyToPreviews();
  }

  function changed(row, value) {
    const name = row.dataset.var;
    if (scheme === "dark" && value === "") {
      // An emptied dark value falls back to the light one.
      delete theme.dark[name];
      showRow(row);
      renderContrast();
      applyToPreviews();
      return;
    }
    theme[scheme][name] = value;
    clearError(row);
    const picker = $(".d-picker", row);
    const c = parseColour(value);
    if (picker && c) picker.value = hex(c);
    row.classList.remove("d-inherited");
    $(".d-note", row).hidden = true;
    $(".d-inherit", row).hidden = scheme !== "dark";
    renderContrast();
    applyToPreviews();
  }

  function clearError(row) {
    row.classList.remove("has-error");
    const e = $(".d-error", row);
    e.hidden = true;
    e.textContent = "";
    $('input[type="text"]', row).removeAttribute("aria-invalid");
  }

  function setStatus(text, tone) {
    const s = $("#status");
    s.textContent = text;
    s.dataset.tone = tone || "";
  }

  // --- actions ------------------------------------------------------------

  async function save() {
    // Values typed without an input event (a script setting .value) count.
    poll();
    setStatus("Saving…", "");
    $$(".d-row").forEach(clearError);
    let res, body;
    try {
      res = await fetch("api/save", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(theme),
      });
      body = await res.json();
    } catch (e) {
      setStatus("Save failed: " + e.message, "error");
      return;
    }
    if (res.ok && body.ok) {
      // Show the values as saved (a bare radius gained its px).
      theme = { light: Object.assign({}, body.theme.light), dark: Object.assign({}, body.theme.dark) };
      refresh();
      setStatus("Saved " + body.path, "ok");
      return;
    }
    for (const err of body.errors || []) {
      const row = $('.d-row[data-var="' + CSS.escape(err.name) + '"]');
      if (!row) continue;
      if (err.scheme !== scheme) setScheme(err.scheme);
      row.classList.add("has-error");
      $('input[type="text"]', row).setAttribute("aria-invalid", "true");
      const e = $(".d-error", row);
      e.textContent = err.message;
      e.hidden = false;
    }
    setStatus(body.error || "Not saved: fix the values marked below.", "error");
  }

  function setScheme(s) {
    scheme = s;
    document.body.dataset.scheme = s;
    $("#scheme-name").textContent = s;
    $$(".d-scheme button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.scheme === s)));
    refresh();
  }

  // poll notices values set without an input or change event.
  function poll() {
    $$(".d-row").forEach((row) => {
      const text = $('input[type="text"]', row);
      if (seen.get(text) !== text.value) {
        seen.set(text, text.value);
        changed(row, text.value.trim());
      }
    });
  }

  async function init() {
    const res = await fetch("api/state");
    state = await res.json();
    theme = { light: Object.assign({}, state.theme.light), dark: Object.assign({}, state.theme.dark) };
    $$(".d-row").forEach((row) => {
      const text = $('input[type="text"]', row);
      const onText = () => {
        seen.set(text, text.value);
        changed(row, text.value.trim());
      };
      text.addEventListener("input", onText);
      text.addEventListener("change", onText);
      // A tool that empties a field by its value attribute (chromedp's
      // Clear does) would not change what a field the script has filled
      // shows; follow the attribute so it does.
      new MutationObserver(() => {
        if (text.value !== text.defaultValue) text.value = text.defaultValue;
      }).observe(text, { attributes: true, attributeFilter: ["value"] });
      const picker = $(".d-picker", row);
      if (picker) {
        picker.addEventListener("input", () => {
          // Keep a translucent colour's alpha when a new hue is picked.
          const old = parseColour(text.value);
          let v = picker.value;
          if (old && old.a < 1) {
            const c = parseColour(v);
            const ch = (f) => Math.round(f * 255);
            v = "rgba(" + ch(c.r) + ", " + ch(c.g) + ", " + ch(c.b) + ", " + Math.round(old.a * 100) / 100 + ")";
          }
          text.value = v;
          onText();
        });
      }
      $(".d-inherit", row).addEventListener("click", () => {
        delete theme.dark[row.dataset.var];
        showRow(row);
        renderContrast();
        applyToPreviews();
      });
    });
    $$(".d-scheme button").forEach((b) => b.addEventListener("click", () => setScheme(b.dataset.scheme)));
    $$(".d-preview iframe").forEach((f) => f.addEventListener("load", () => applyToFrame(f)));
    $("#save").addEventListener("click", save);
    $("#reset").addEventListener("click", () => {
      theme = { light: Object.assign({}, state.defaults.light), dark: Object.assign({}, state.defaults.dark) };
      refresh();
      setStatus("Defaults restored (not saved yet)", "");
    });
    $("#done").addEventListener("click", async () => {
      try {
        await fetch("api/done", { method: "POST" });
      } catch (e) {
        // The server may close the connection as it stops.
      }
      $$("button, input").forEach((el) => (el.disabled = true));
      setStatus("The designer has stopped; you can close this tab.", "");
    });
    refresh();
    setInterval(poll, 300);
    document.body.dataset.ready = "true";
  }

  document.addEventListener("DOMContentLoaded", () => {
    init().catch((e) => setStatus("Could not load the designer: " + e.message, "error"));
  });
})();
