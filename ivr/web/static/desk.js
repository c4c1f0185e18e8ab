// The agent desk: keeps the transfer list live from /agent/events and sends the take and
// note forms with fetch, so the page (and the agent's place in it) never reloads.
"use strict";
(() => {
  const list = document.getElementById("transfers");
  const empty = document.getElementById("empty");
  const live = document.getElementById("live");

  function setLive(state, text) {
    live.dataset.state = state;
    live.textContent = text;
  }

  // Cards carry a rank string from the server (open before taken, urgent first, newest
  // first); inserting by it keeps the order exactly as the server would render it.
  function place(card) {
    for (const other of list.children) {
      if (other !== card && other.dataset.rank > card.dataset.rank) {
        list.insertBefore(card, other);
        return;
      }
    }
    list.appendChild(card);
  }

  function upsert(data) {
    const template = document.createElement("template");
    template.innerHTML = data.html.trim();  // rendered and escaped by the server
    const card = template.content.firstElementChild;
    const old = document.getElementById(card.id);
    if (old) {
      // Keep what the agent was doing: an open context, a note half typed.
      const details = old.querySelector("details.context");
      if (details && details.open) card.querySelector("details.context").open = true;
      const draft = old.querySelector("textarea");
      const fresh = card.querySelector("textarea");
      const focused = draft !== null && document.activeElement === draft;
      if (draft && fresh && draft.value !== draft.defaultValue) fresh.value = draft.value;
      old.remove();
      place(card);
      if (focused && fresh) fresh.focus();
    } else {
      card.classList.add("arrived");
      place(card);
    }
    empty.hidden = list.children.length > 0;
  }

  function showError(form, text) {
    let error = form.querySelector(".form-error");
    if (!error) {
      error = document.createElement("span");
      error.className = "form-error";
      error.setAttribute("role", "alert");
      form.appendChild(error);
    }
    error.textContent = text;
  }

  list.addEventListener("submit", async (event) => {
    const form = event.target;
    event.preventDefault();
    const button = form.querySelector("button");
    if (button) button.disabled = true;
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.status === 401) {
        location.assign("/agent/login");
        return;
      }
      if (!response.ok) {
        const body = await response.json().catch(() => ({}));
        const detail = typeof body.detail === "string" ? body.detail : response.statusText;
        showError(form, detail || "Could not save; try again.");
      }
      // On success the live update re-renders the card, on every desk at once.
    } catch (err) {
      showError(form, "The server could not be reached; try again.");
    } finally {
      if (button) button.disabled = false;
    }
  });

  const source = new EventSource("/agent/events");
  source.addEventListener("card", (event) => upsert(JSON.parse(event.data)));
  source.addEventListener("ready", () => setLive("open", "live"));
  source.addEventListener("expired", () => {
    source.close();
    location.assign("/agent/login");
  });
  source.addEventListener("error", () => {
    if (source.readyState === EventSource.CLOSED) {
      // Refused (signed out, or the server is unwell): the page itself finds out which.
      setLive("closed", "disconnected");
      setTimeout(() => location.assign("/agent"), 3000);
    } else {
      setLive("reconnecting", "reconnecting…");
    }
  });
})();
