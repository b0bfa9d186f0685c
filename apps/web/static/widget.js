/* The privacy assistant's chat widget. Paste on a page:
 *   <script src="https://ASSISTANT-HOST/widget.js" data-organization="SLUG" data-lang="fr" defer></script>
 * data-organization: the organisation the page belongs to (omit on a page shared by several);
 * data-lang: the page language, a hint only: the assistant answers in the language typed;
 * data-endpoint: where to post messages (default: /chat on the host serving this script); the conversation
 * id comes from <endpoint>/session: the server issues and signs it, each answer renews it (X-Chat-Sender).
 * Its words come from the server (GET /widget/texts?lang=, from the text catalogue), which also decides
 * the language. No dependencies. Every text from the bot or the person is inserted as text, never as HTML.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__privacyAssistantLoaded) return;
  window.__privacyAssistantLoaded = true;

  var organization = script.getAttribute("data-organization") || "";
  var pageLanguage = script.getAttribute("data-lang") || document.documentElement.lang || "";
  var endpoint = script.getAttribute("data-endpoint") || new URL("/chat", script.src).href;
  var sessionEndpoint = endpoint.replace(/\/$/, "") + "/session";
  var textsUrl = new URL("/widget/texts", script.src);
  textsUrl.searchParams.set("lang", pageLanguage);
  var storageKey = "privacy-assistant:" + (organization || "all");

  // Without its texts the widget would be mute: if the server cannot be reached, no widget appears.
  fetch(textsUrl.href).then(function (response) {
    if (!response.ok) throw new Error("HTTP " + response.status);
    return response.json();
  }).then(function (answer) { start(answer.texts, answer.language); }, function () {});

  function start(UI, lang) {
    // The conversation survives page loads in this tab: same conversation id, same transcript. The id is
    // the server's (POST <endpoint>/session), asked for when the first message is sent.
    var state = load() || {sender: "", log: [], open: false};

    var host = document.createElement("div");
    host.className = "privacy-assistant-host";
    var root = host.attachShadow ? host.attachShadow({mode: "open"}) : host;
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = new URL("/widget.css", script.src).href;
    root.appendChild(css);

    var launcher = el("button", "pa-launcher", UI.open);
    launcher.type = "button";
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", "pa-panel");

    var panel = el("section", "pa-panel");
    panel.id = "pa-panel";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", UI.title);
    panel.hidden = true;

    var header = el("header", "pa-header");
    header.appendChild(el("h2", "pa-title", UI.title));
    // Erases the conversation in the assistant ("forget this conversation", the same on every channel),
    // then here: the transcript kept in this tab, and the conversation id, so that what follows is a new conversation.
    var forgetButton = el("button", "pa-forget", UI.forget);
    forgetButton.type = "button";
    header.appendChild(forgetButton);
    var closeButton = el("button", "pa-close", "×");
    closeButton.type = "button";
    closeButton.setAttribute("aria-label", UI.close);
    header.appendChild(closeButton);

    var transcript = el("div", "pa-log");
    transcript.setAttribute("role", "log");
    transcript.setAttribute("aria-live", "polite");
    transcript.setAttribute("aria-relevant", "additions");
    transcript.tabIndex = 0;

    var typing = el("div", "pa-typing");
    typing.setAttribute("role", "status");
    typing.hidden = true;
    var typingLabel = el("span", "pa-visually-hidden", UI.typing);
    typing.appendChild(typingLabel);
    for (var i = 0; i < 3; i++) typing.appendChild(el("span", "pa-dot"));

    var form = el("form", "pa-form");
    var input = el("textarea", "pa-input");
    input.rows = 1;
    input.maxLength = 2000;
    input.placeholder = UI.placeholder;
    input.setAttribute("aria-label", UI.input_label);
    var sendButton = el("button", "pa-send", UI.send);
    sendButton.type = "submit";
    form.appendChild(input);
    form.appendChild(sendButton);

    panel.appendChild(header);
    panel.appendChild(transcript);
    panel.appendChild(typing);
    panel.appendChild(form);
    root.appendChild(launcher);
    root.appendChild(panel);
    document.body.appendChild(host);

    state.log.forEach(function (entry) { render(entry, false); });
    if (state.open) setOpen(true, false);

    launcher.addEventListener("click", function () { setOpen(panel.hidden, true); });
    closeButton.addEventListener("click", function () { setOpen(false, true); });
    forgetButton.addEventListener("click", function () {
      if (!busy) send(FORGET, UI.forget, startAfresh);
    });
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") setOpen(false, true);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit ? form.requestSubmit() : submit(); }
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); submit(); });

    function submit() {
      var text = input.value.trim();
      if (!text || busy) return;
      input.value = "";
      send(text, text);
    }

    var FORGET = "/forget_conversation";
    function startAfresh(replies) {
      state = {sender: "", log: [], open: state.open};
      while (transcript.firstChild) transcript.removeChild(transcript.firstChild);
      replies.forEach(function (reply) { record({from: "bot", text: reply.text || ""}); });
      // A new id now; if the server cannot give one, the next message asks again.
      return conversation().catch(function () {});
    }

    var busy = false;
    function send(text, shown, then) {
      busy = true;
      record({from: "user", text: shown});
      typing.hidden = false;
      sendButton.disabled = true;
      post(text, true).then(function (replies) {
        // "forget this conversation", typed or pressed: the transcript in this tab goes too.
        var forgotten = replies.some(function (reply) { return reply.forgotten; });
        if (then || forgotten) return (then || startAfresh)(replies);
        replies.forEach(function (reply) {
          record({from: "bot", text: reply.text || "", buttons: reply.buttons || []});
        });
      }).catch(function (error) {
        // Nothing is lost: the unsent text goes back into the box, with the server's reason if it gave one.
        forget();
        if (!input.value) input.value = shown === text ? text : "";
        render({from: "notice", text: error.notice || UI.unreachable}, true);
      }).then(function () {
        busy = false;
        typing.hidden = true;
        sendButton.disabled = false;
        input.focus();
      });
    }

    // Posts under the conversation's id. A 403 means the server no longer takes it (expired, or from
    // before ids were signed): once, a new id is fetched and the same message sent again under it.
    function post(text, mayRenew) {
      return conversation().then(function (sender) {
        return fetch(endpoint, {
          method: "POST",
          headers: {"Content-Type": "application/json"},
          body: JSON.stringify({sender: sender, message: text,
                                metadata: {organization: organization || undefined, language: lang}})
        });
      }).then(function (response) {
        if (response.status === 403 && mayRenew) {
          state.sender = "";
          save();
          return post(text, false);
        }
        if (!response.ok) return refused(response);
        var renewed = response.headers.get("X-Chat-Sender");
        if (renewed) { state.sender = renewed; save(); }
        return response.json();
      });
    }

    function conversation() {
      if (state.sender) return Promise.resolve(state.sender);
      return fetch(sessionEndpoint + "?lang=" + encodeURIComponent(lang), {method: "POST"}).then(function (response) {
        if (!response.ok) return refused(response);
        return response.json();
      }).then(function (answer) {
        state.sender = String(answer.sender || "");
        save();
        return state.sender;
      });
    }

    // An error whose notice is the server's own sentence in the person's language, for the refusals
    // that have one (403: conversation id refused again; 429: wait so many seconds).
    function refused(response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        var error = new Error("HTTP " + response.status);
        var told = response.status === 403 || response.status === 429;
        error.notice = told && answer && typeof answer.error === "string" ? answer.error : "";
        throw error;
      });
    }

    function record(entry) {
      state.log.push(entry);
      save();
      render(entry, true);
    }

    function forget() {
      state.log.pop();
      save();
      var last = transcript.lastElementChild;
      if (last) transcript.removeChild(last);
    }

    function render(entry, scroll) {
      var bubble = el("div", "pa-message pa-" + entry.from);
      var who = el("span", "pa-visually-hidden", (entry.from === "user" ? UI.you : UI.bot) + " ");
      bubble.appendChild(who);
      appendText(bubble, entry.text);
      if (entry.buttons && entry.buttons.length) {
        var group = el("div", "pa-buttons");
        group.setAttribute("role", "group");
        entry.buttons.forEach(function (button) {
          var choice = el("button", "pa-choice", button.title);
          choice.type = "button";
          choice.addEventListener("click", function () {
            if (!busy) send(button.payload, button.title, button.payload === FORGET ? startAfresh : undefined);
          });
          group.appendChild(choice);
        });
        bubble.appendChild(group);
      }
      transcript.appendChild(bubble);
      if (scroll) transcript.scrollTop = transcript.scrollHeight;
    }

    // Paragraphs and line breaks as typed, links made clickable, the citation line set apart.
    var LINK = /(https?:\/\/[^\s<>"«»]+[^\s<>"«».,;:!?)]|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;
    function appendText(parent, text) {
      text.split(/\n{2,}/).forEach(function (paragraph) {
        var cite = /^Source ?:/.test(paragraph);
        var block = el("p", cite ? "pa-cite" : "pa-paragraph");
        paragraph.split("\n").forEach(function (line, index) {
          if (index) block.appendChild(document.createElement("br"));
          var last = 0;
          line.replace(LINK, function (match, _group, offset) {
            block.appendChild(document.createTextNode(line.slice(last, offset)));
            var link = el("a", "pa-link", match);
            link.href = match.indexOf("@") > 0 && match.indexOf("://") < 0 ? "mailto:" + match : match;
            link.target = "_blank";
            link.rel = "noopener noreferrer";
            block.appendChild(link);
            last = offset + match.length;
            return match;
          });
          block.appendChild(document.createTextNode(line.slice(last)));
        });
        parent.appendChild(block);
      });
    }

    function setOpen(open, focus) {
      panel.hidden = !open;
      launcher.setAttribute("aria-expanded", String(open));
      launcher.hidden = open;
      state.open = open;
      save();
      if (open) {
        transcript.scrollTop = transcript.scrollHeight;
        if (focus) input.focus();
      } else if (focus) {
        launcher.focus();
      }
    }

    function el(tag, className, text) {
      var node = document.createElement(tag);
      if (className) node.className = className;
      if (text !== undefined) node.textContent = text;
      return node;
    }

    function load() {
      try {
        var saved = JSON.parse(sessionStorage.getItem(storageKey));
        return saved && typeof saved.sender === "string" && Array.isArray(saved.log) ? saved : null;
      } catch (error) { return null; }
    }

    function save() {
      try { sessionStorage.setItem(storageKey, JSON.stringify(state)); } catch (error) { /* private mode: keep going */ }
    }
  }
})();
