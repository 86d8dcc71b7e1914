/* arxiv-rss page: the feed builder's live URL, copy button and preview, and relative times.
   Plain script, no dependencies. The page works without it: the builder is a GET form on /feed.
   The values it needs come from the JSON block #page-data (the CSP allows no inline script). */
(function () {
  "use strict";

  var ORDER = [
    "format", "keywords", "exclude", "authors", "categories", "types", "min_score", "days", "summary", "interest", "like",
    "unlike"
  ];
  var DEFAULT_LIMIT = 50;
  var DEBOUNCE_MS = 250;
  var PREVIEW_SHOWN = 10; // the rest behind "Show all", so a phone is not scrolled past a long list
  var WORD = "[\\p{L}\\p{N}_]";

  var data = JSON.parse(document.getElementById("page-data").textContent);
  var form = document.getElementById("builder");
  var urlBox = document.getElementById("feed-url");
  var openLink = document.getElementById("feed-open");
  var readerLinks = Object.keys(data.readers || {}).map(function (id) {
    return [document.getElementById("sub-" + id), data.readers[id]];
  });
  var copyButton = document.getElementById("copy");
  var copyStatus = document.getElementById("copy-status");
  var preview = document.getElementById("preview");
  var previewStatus = document.getElementById("preview-status");
  var previewList = document.getElementById("preview-list");
  var moreButton = document.getElementById("preview-more");
  var minScore = document.getElementById("f-min_score");
  var minScorePlaceholder = minScore ? minScore.placeholder : "";

  /* Opened from a profile's edit URL (`/#profile=<edit token>`; a fragment never reaches a
     server or its logs), the builder shows that profile and "Save" changes it. */
  var editMatch = /^#profile=([A-Za-z0-9_-]{24})$/.exec(window.location.hash);
  var editToken = editMatch ? editMatch[1] : "";
  /* The open profile's feed path (`/feed/p/<id>`): while set, the URL shown and previewed
     is that feed itself, so the preview ranks exactly as the profile feed does. */
  var profilePath = "";
  var savedState = null; /* the builder's fields as the open profile was saved (encoded) */
  var dirty = false;
  var timer = null;
  var inflight = null;
  var shownQuery = null;

  function checkedValues(name) {
    return Array.prototype.filter
      .call(form.querySelectorAll('input[name="' + name + '"]'), function (el) {
        return el.checked;
      })
      .map(function (el) {
        return el.value;
      });
  }

  function field(name) {
    var el = form.elements[name];
    return el && typeof el.value === "string" ? el.value.trim() : "";
  }

  function sameSet(a, b) {
    return a.length === b.length && a.every(function (x) {
      return b.indexOf(x) >= 0;
    });
  }

  /* The builder's state as ordered [name, value] pairs, defaults left out. */
  function params() {
    var d = data.defaults;
    var values = {};
    var cats = checkedValues("categories");
    var types = checkedValues("types");
    var format = checkedValues("format")[0] || d.format;
    var summary = checkedValues("summary")[0] || d.summary;
    if (format !== d.format) values.format = format;
    ["keywords", "exclude", "authors"].forEach(function (name) {
      var v = field(name)
        .split(",")
        .map(function (t) {
          return t.trim();
        })
        .filter(Boolean)
        .join(",");
      if (v) values[name] = v;
    });
    if (cats.length && cats.length < data.categories.length) values.categories = cats.join(",");
    if (types.length && !sameSet(types, d.types)) values.types = types.join(",");
    if (field("min_score") !== "") values.min_score = field("min_score");
    var days = field("days");
    if (days !== "" && days !== String(d.days)) values.days = days;
    if (summary !== d.summary) values.summary = summary;
    var interest = field("interest").replace(/\s+/g, " ");
    if (interest) values.interest = interest;
    var like = likedIds();
    if (like.length) values.like = like.join(",");
    var unlike = idsIn("unlike");
    if (unlike.length) values.unlike = unlike.join(",");
    return ORDER.filter(function (n) {
      return n in values;
    }).map(function (n) {
      return [n, values[n]];
    });
  }

  /* The ids in the "More like these papers" field, in order, without repeats. */
  function likedIds() {
    return idsIn("like");
  }

  /* The ids in the field `name` (like, unlike), in order, without repeats. */
  function idsIn(name) {
    var seen = [];
    field(name)
      .split(",")
      .map(function (t) {
        return t.trim();
      })
      .forEach(function (id) {
        if (id && seen.indexOf(id) < 0) seen.push(id);
      });
    return seen;
  }

  /* "More like this" under a paper: add its id to the field (or take it out again). */
  function toggleLike(button) {
    var id = button.getAttribute("data-like");
    var ids = likedIds();
    var at = ids.indexOf(id);
    if (at >= 0) ids.splice(at, 1);
    else ids.push(id);
    form.elements.like.value = ids.join(", ");
    markLiked();
    update();
  }

  function markLiked() {
    var ids = likedIds();
    Array.prototype.forEach.call(document.querySelectorAll("button.like"), function (b) {
      var on = ids.indexOf(b.getAttribute("data-like")) >= 0;
      b.setAttribute("aria-pressed", on ? "true" : "false");
      b.textContent = on ? "👍 Liked (undo)" : "👍 More like this";
    });
    var down = idsIn("unlike");
    Array.prototype.forEach.call(document.querySelectorAll("button.unlike"), function (b) {
      var on = down.indexOf(b.getAttribute("data-unlike")) >= 0;
      b.setAttribute("aria-pressed", on ? "true" : "false");
      b.textContent = on ? "👎 Disliked (undo)" : "👎 Less like this";
    });
  }

  /* 👎 under a paper: add its id to the "Less like these papers" field (or take it out). */
  function toggleUnlike(button) {
    var id = button.getAttribute("data-unlike");
    var ids = idsIn("unlike");
    var at = ids.indexOf(id);
    if (at >= 0) ids.splice(at, 1);
    else ids.push(id);
    form.elements.unlike.value = ids.join(", ");
    markLiked();
    update();
  }

  /* "Save as my feed": the builder's interest, papers and filters become a saved profile
     (POST /api/profiles), whose feed URL and edit URL are shown. */
  function saveProfile() {
    var status = document.getElementById("save-status");
    var urls = document.getElementById("saved-urls");
    var cats = checkedValues("categories");
    var days = parseInt(field("days"), 10);
    var body = {
      interest: field("interest").replace(/\s+/g, " "),
      like: likedIds(),
      unlike: idsIn("unlike"),
      keywords: field("keywords"),
      authors: field("authors"),
      categories: cats.length < data.categories.length ? cats : [],
      days: isNaN(days) ? 3 : days
    };
    document.getElementById("saved").hidden = false;
    urls.hidden = true;
    status.textContent = "Saving…";
    var file = !editToken && libraryInput.files && libraryInput.files[0];
    if (file && file.size > 5 * 1024 * 1024) {
      status.textContent = "Not saved: the library file is larger than 5 MB.";
      return;
    }
    (file ? file.text() : Promise.resolve(null))
      .then(function (text) {
        if (text !== null) body.library = { name: file.name, text: text };
        return fetch(editToken ? "/api/profiles/" + editToken : "/api/profiles", {
          method: editToken ? "PUT" : "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(body)
        });
      })
      .then(function (response) {
        return response.json().then(function (answer) {
          if (!response.ok) {
            var error = answer.error || {};
            throw new Error((error.parameter ? error.parameter + ": " : "") + (error.message || response.status));
          }
          return answer;
        });
      })
      .then(function (answer) {
        var feed = document.getElementById("saved-feed");
        var edit = document.getElementById("saved-edit");
        feed.href = feed.textContent = withFormat(answer.feed_url);
        edit.href = edit.textContent = answer.edit_url;
        urls.hidden = false;
        status.textContent = "Saved." + (answer.notes && answer.notes.length ? " " + answer.notes.join(" ") : "");
        if (profilePath) {
          savedState = profileState();
          dirty = false;
          shownQuery = null; /* the saved feed changed: preview it again */
          update();
        }
      })
      .catch(function (err) {
        status.textContent = "Not saved: " + err.message;
      });
  }

  /* Fill the builder from the profile the edit token opens. */
  function openProfile() {
    var status = document.getElementById("save-status");
    document.getElementById("saved").hidden = false;
    status.textContent = "Opening your feed…";
    fetch("/api/profiles/" + editToken)
      .then(function (response) {
        if (!response.ok) throw new Error("no feed has this edit address");
        return response.json();
      })
      .then(function (p) {
        form.elements.interest.value = p.interest;
        form.elements.like.value = p.like.join(", ");
        form.elements.unlike.value = p.unlike.join(", ");
        form.elements.keywords.value = p.keywords;
        form.elements.authors.value = p.authors;
        if (p.days) form.elements.days.value = String(p.days);
        Array.prototype.forEach.call(form.querySelectorAll('input[name="categories"]'), function (el) {
          el.checked = !p.categories.length || p.categories.indexOf(el.value) >= 0;
        });
        document.getElementById("save-profile").textContent = "Save changes to my feed";
        document.getElementById("library-field").hidden = true;
        var feed = document.getElementById("saved-feed");
        var edit = document.getElementById("saved-edit");
        feed.href = feed.textContent = withFormat(p.feed_url);
        edit.href = edit.textContent = p.edit_url;
        profilePath = pathOf(p.feed_url);
        savedState = null; /* taken once the fields are filled, below */
        document.getElementById("saved-urls").hidden = false;
        status.textContent = "Editing your saved feed.";
        markLiked();
        savedState = profileState();
        dirty = false;
        update();
      })
      .catch(function (err) {
        editToken = "";
        status.textContent = "Not opened: " + err.message + ".";
      });
  }

  function encode(pairs) {
    return pairs
      .map(function (p) {
        return p[0] + "=" + encodeURIComponent(p[1]).replace(/%2C/g, ",");
      })
      .join("&");
  }

  function feedPath(pairs) {
    var qs = encode(pairs);
    return (profilePath || "/feed") + (qs ? "?" + qs : "");
  }

  /* The chosen format, when not the default. */
  function chosenFormat() {
    var format = checkedValues("format")[0] || data.defaults.format;
    return format !== data.defaults.format ? format : "";
  }

  /* A saved feed's URL in the chosen format (`?format=` when not the default). */
  function withFormat(url) {
    var format = chosenFormat();
    return format ? url + "?format=" + encodeURIComponent(format) : url;
  }

  /* The path of an absolute URL (a profile's feed, on this same service). */
  function pathOf(url) {
    var a = document.createElement("a");
    a.href = url;
    return a.pathname;
  }

  /* The feed's parameters: the builder's state, or only the format for a profile's feed
     (its settings live in the profile). */
  function feedPairs() {
    if (!profilePath) return params();
    var format = chosenFormat();
    return format ? [["format", format]] : [];
  }

  function update() {
    var pairs = feedPairs();
    var url = data.base + feedPath(pairs);
    urlBox.value = url;
    if (profilePath) {
      var saved = document.getElementById("saved-feed");
      saved.href = saved.textContent = url;
      noteUnsaved();
    }
    fitUrlBox();
    openLink.href = url;
    readerLinks.forEach(function (pair) {
      if (pair[0]) pair[0].href = pair[1] + encodeURIComponent(url);
    });
    copyStatus.textContent = "";
    noteEmptyGroups();
    if (minScore) {
      minScore.placeholder = field("keywords") ? "0" : minScorePlaceholder;
    }
    schedulePreview(pairs);
  }

  /* The fields a profile keeps (all but the format, which is the subscription's), encoded. */
  function profileState() {
    return encode(
      params().filter(function (p) {
        return p[0] !== "format";
      })
    );
  }

  /* While a profile is open, say when the fields differ from the saved profile: the URL and
     the preview are the saved feed's until "Save changes to my feed". */
  function noteUnsaved() {
    if (savedState === null) return;
    var now = profileState() !== savedState;
    if (now === dirty) return;
    dirty = now;
    document.getElementById("save-status").textContent = now
      ? "Unsaved changes: the feed URL and the preview show your saved feed until you press “Save changes to my feed”."
      : "Editing your saved feed.";
  }

  /* The whole URL stays visible: CSS `field-sizing: content` grows the box where it is
     supported; elsewhere the box gets as many rows as the wrapped URL needs. */
  function fitUrlBox() {
    urlBox.rows = 1;
    while (urlBox.scrollHeight > urlBox.clientHeight && urlBox.rows < 20) urlBox.rows += 1;
  }

  function noteEmptyGroups() {
    [
      ["categories", "None ticked: every category, as when all are ticked."],
      ["types", "None ticked: the default types (" + data.defaults.types.join(", ") + ")."],
    ].forEach(function (pair) {
      var hint = document.getElementById("h-" + pair[0]);
      if (hint) hint.textContent = checkedValues(pair[0]).length ? "" : pair[1];
    });
  }

  /* Preview: the JSON Feed of the same URL. */

  function schedulePreview(pairs) {
    var jsonPairs = pairs.filter(function (p) {
      return p[0] !== "format";
    });
    jsonPairs.unshift(["format", "json"]);
    var path = feedPath(jsonPairs);
    if (path === shownQuery) return;
    clearTimeout(timer);
    timer = setTimeout(function () {
      loadPreview(jsonPairs, path);
    }, DEBOUNCE_MS);
  }

  function fetchFeed(pairs, signal) {
    return fetch(feedPath(pairs), { headers: { Accept: "application/feed+json" }, signal: signal }).then(
      function (response) {
        return response.json().then(function (body) {
          return { ok: response.ok, body: body };
        });
      }
    );
  }

  /* The server names one refused parameter at a time; asking again without it finds the
     next, so every bad field is named at once. Resolves to {errors, body}. */
  function refusals(pairs, errors, signal) {
    return fetchFeed(pairs, signal).then(function (result) {
      var error = result.ok ? null : (result.body && result.body.error) || {};
      if (!error) return { errors: errors, body: result.body };
      errors = errors.concat([error]);
      var rest = pairs.filter(function (p) {
        return p[0] !== error.parameter;
      });
      if (!error.parameter || rest.length === pairs.length) return { errors: errors, body: null };
      return refusals(rest, errors, signal);
    });
  }

  function loadPreview(pairs, path) {
    if (inflight) inflight.abort();
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    inflight = controller;
    preview.setAttribute("aria-busy", "true");
    var signal = controller ? controller.signal : undefined;
    refusals(pairs, [], signal)
      .then(function (result) {
        if (inflight !== controller) return;
        shownQuery = path;
        clearInvalid();
        if (result.errors.length) {
          showErrors(result.errors);
        } else {
          showItems(result.body.items || []);
        }
      })
      .catch(function (err) {
        if (err && err.name === "AbortError") return;
        showErrors([{ message: "the preview could not be loaded (" + (err && err.message ? err.message : "network error") + ")" }]);
      })
      .then(function () {
        if (inflight === controller) {
          preview.removeAttribute("aria-busy");
          inflight = null;
        }
      });
  }

  function clearInvalid() {
    Array.prototype.forEach.call(form.querySelectorAll('[aria-invalid="true"]'), function (el) {
      el.removeAttribute("aria-invalid");
    });
  }

  function showErrors(errors) {
    previewList.textContent = "";
    moreButton.hidden = true;
    previewStatus.className = "preview-status error";
    var reasons = errors.map(function (error) {
      var where = error.parameter ? error.parameter + ": " : "";
      var input = error.parameter ? document.getElementById("f-" + error.parameter) : null;
      if (input && input.tagName === "INPUT") input.setAttribute("aria-invalid", "true");
      return where + (error.message || "unknown error");
    });
    previewStatus.textContent = "This feed would be refused — " + reasons.join("; ");
  }

  function showItems(items) {
    previewStatus.className = "preview-status";
    var dates = items.map(function (i) {
      return (i._arxiv && i._arxiv.announced) || "";
    });
    var text;
    if (!items.length) {
      text = "No paper matches this feed right now. It fills when a matching paper is announced.";
    } else {
      text = items.length + (items.length === 1 ? " paper" : " papers") + " in this feed right now";
      var first = dates.slice().sort()[0];
      var last = dates.slice().sort().pop();
      text += first ? (first === last ? ", announced " + first : ", announced " + first + " to " + last) : "";
      text += items.length >= DEFAULT_LIMIT ? " (the feed's limit; add &limit=200 for more)." : ".";
    }
    previewStatus.textContent = text;
    var fragment = document.createDocumentFragment();
    items.forEach(function (item, i) {
      var li = previewItem(item);
      li.hidden = i >= PREVIEW_SHOWN;
      fragment.appendChild(li);
    });
    previewList.textContent = "";
    previewList.appendChild(fragment);
    moreButton.hidden = items.length <= PREVIEW_SHOWN;
    moreButton.textContent = "Show all " + items.length;
  }

  function showAll() {
    var hidden = previewList.querySelectorAll("li[hidden]");
    Array.prototype.forEach.call(hidden, function (li) {
      li.hidden = false;
    });
    moreButton.hidden = true;
    var first = hidden.length ? hidden[0].querySelector("a") : null;
    if (first) first.focus();
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function previewItem(item) {
    var meta = item._arxiv || {};
    var keywords = meta.matched_keywords || [];
    var li = el("li");
    li.setAttribute("data-id", item.id);
    var link = el("a", "pv-title");
    link.href = /^https:\/\/arxiv\.org\//.test(item.url || "") ? item.url : "#";
    appendHighlighted(link, item.title || "", keywords);
    li.appendChild(link);
    var line = el("p", "meta");
    if (keywords.length) line.appendChild(el("span", "score", "score " + formatScore(meta.score)));
    (item.tags || []).forEach(function (tag) {
      line.appendChild(el("span", "tag", tag));
    });
    if (meta.announce_type) line.appendChild(el("span", "type", meta.announce_type));
    keywords.forEach(function (k) {
      line.appendChild(el("mark", "kw", k));
    });
    if (meta.ai_summary) line.appendChild(el("span", "has-summary", "AI summary"));
    li.appendChild(line);
    var similar = typeof meta.similarity === "number";
    if (similar || meta.why) {
      var why = el("p", "why", similar ? "similarity " + meta.similarity.toFixed(2) : "");
      if (meta.closest_liked) why.appendChild(el("span", "closest", " · closest to " + meta.closest_liked));
      if (meta.why) why.appendChild(el("span", "reason", (similar ? " · " : "") + meta.why));
      li.appendChild(why);
    }
    return li;
  }

  function formatScore(score) {
    return typeof score === "number" ? String(Math.round(score * 100) / 100) : "–";
  }

  /* Keywords are found as the server's scorer finds them: whole words, any case, plurals,
     `prefix*`, and phrases whose words are separated by spaces or hyphens. */
  function termSource(keyword) {
    var text = keyword.trim().toLowerCase();
    var prefix = /\*$/.test(text);
    var words = text.replace(/\*+$/, "").split(/[\s\-\u2010\u2011]+/).filter(Boolean);
    if (!words.length) return null;
    var lastWord = words[words.length - 1];
    var parts = words.slice(0, -1).map(escapeRe);
    var last = escapeRe(lastWord);
    if (prefix) last += WORD + "*";
    else if (/[^aeiou]y$/.test(lastWord)) last = escapeRe(lastWord.slice(0, -1)) + "(?:y|ies)";
    else if (/\p{L}$/u.test(lastWord)) last += "(?:e?s)?";
    parts.push(last);
    var start = /^[\p{L}\p{N}_]/u.test(words[0]) ? "(?<!" + WORD + ")" : "";
    var end = !prefix && /[\p{L}\p{N}_]$/u.test(lastWord) ? "(?!" + WORD + ")" : "";
    return start + parts.join("[\\s\\-\\u2010\\u2011]+") + end;
  }

  function escapeRe(s) {
    return s.replace(/[.*+?^${}()|[\]\\\/-]/g, "\\$&");
  }

  function appendHighlighted(node, text, keywords) {
    var sources = keywords.map(termSource).filter(Boolean);
    if (!sources.length) {
      node.textContent = text;
      return;
    }
    var re;
    try {
      re = new RegExp(sources.join("|"), "giu");
    } catch (e) {
      node.textContent = text;
      return;
    }
    var pos = 0;
    var m;
    while ((m = re.exec(text)) !== null) {
      if (!m[0]) {
        re.lastIndex += 1;
        continue;
      }
      node.appendChild(document.createTextNode(text.slice(pos, m.index)));
      node.appendChild(el("mark", "", m[0]));
      pos = m.index + m[0].length;
    }
    node.appendChild(document.createTextNode(text.slice(pos)));
  }

  /* Copy: the Clipboard API, else select the URL and use the old copy command. */

  function copy() {
    var url = urlBox.value;
    var done = function () {
      copyStatus.textContent = "Copied.";
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url).then(done, fallback);
    } else {
      fallback();
    }
    function fallback() {
      urlBox.focus();
      urlBox.select();
      var ok = false;
      try {
        ok = document.execCommand("copy");
      } catch (e) {
        ok = false;
      }
      copyStatus.textContent = ok ? "Copied." : "Selected: press Ctrl+C (⌘C) to copy.";
    }
  }

  /* "3 hours ago", kept current while the page stays open. */

  function relative(then, now) {
    var seconds = Math.round((now - then) / 1000);
    var ahead = seconds < 0;
    seconds = Math.abs(seconds);
    if (seconds < 60) return "just now";
    var units = [["day", 86400], ["hour", 3600], ["minute", 60]];
    for (var i = 0; i < units.length; i++) {
      if (seconds >= units[i][1]) {
        var n = Math.floor(seconds / units[i][1]);
        var text = n + " " + units[i][0] + (n === 1 ? "" : "s");
        return ahead ? "in " + text : text + " ago";
      }
    }
    return "just now";
  }

  function refreshTimes() {
    var now = Date.now();
    Array.prototype.forEach.call(document.querySelectorAll("time[data-relative]"), function (t) {
      var then = Date.parse(t.getAttribute("datetime"));
      if (!isNaN(then)) t.textContent = relative(then, now);
    });
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.location.href = feedPath(params());
  });
  copyButton.hidden = false;
  copyButton.addEventListener("click", copy);
  Array.prototype.forEach.call(document.querySelectorAll("button.like"), function (b) {
    b.hidden = false;
    b.addEventListener("click", function () {
      toggleLike(b);
    });
  });
  form.elements.like.addEventListener("input", markLiked);
  Array.prototype.forEach.call(document.querySelectorAll("button.unlike"), function (b) {
    b.hidden = false;
    b.addEventListener("click", function () {
      toggleUnlike(b);
    });
  });
  form.elements.unlike.addEventListener("input", markLiked);
  var saveButton = document.getElementById("save-profile");
  var libraryInput = document.getElementById("f-library");
  document.getElementById("library-field").hidden = false;
  saveButton.hidden = false;
  saveButton.addEventListener("click", saveProfile);
  if (editToken) openProfile();
  window.addEventListener("hashchange", function () {
    var m = /^#profile=([A-Za-z0-9_-]{24})$/.exec(window.location.hash);
    if (m && m[1] !== editToken) {
      editToken = m[1];
      openProfile();
    }
  });
  moreButton.addEventListener("click", showAll);
  urlBox.addEventListener("focus", function () {
    urlBox.select();
  });
  refreshTimes();
  setInterval(refreshTimes, 60000);
  previewStatus.textContent = "Loading the preview…";
  update();
})();
