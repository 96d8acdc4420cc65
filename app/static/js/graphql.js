// A small GraphQL client: queries and mutations over fetch, subscriptions over one
// WebSocket speaking graphql-transport-ws. No dependencies.

export class ApiError extends Error {
  constructor(message, code = null) {
    super(message);
    this.name = "ApiError";
    this.code = code;
  }
}

// In production the server runs only the documents of its manifest: one outside it means
// this page's code is older or newer than the server's.
const NOT_IN_LIST =
  "The server does not accept this request from this version of the app. Reload the page.";

// The ApiError of a GraphQL error from the server.
function apiError(error) {
  const code = error.extensions?.code ?? null;
  return new ApiError(code === "PERSISTED_QUERY_NOT_IN_LIST" ? NOT_IN_LIST : error.message, code);
}

// Trusted documents: a response with this header says the server knows documents by id,
// the SHA-256 of their UTF-8 text (app/documents.py), so a request may send the id alone.
const ANNOUNCEMENT = "graphql-trusted-documents";

async function documentId(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0"));
  return `sha256:${hex.join("")}`;
}

export class GraphQLClient {
  constructor({ endpoint = "/graphql", getToken, onUnauthenticated = () => {} }) {
    this.endpoint = endpoint;
    this.getToken = getToken;
    this.onUnauthenticated = onUnauthenticated;
    this.trusted = false; // the last response announced trusted documents
    this.ids = new Map(); // document -> Promise of its id
    this.asText = new Set(); // documents the server did not know by id
  }

  // Resolve to `data`; reject with an ApiError carrying the first error's message and code.
  // Once announced, a document goes by its id; if the server does not know the id, the
  // request is sent again with the text, and that document is sent as text from then on.
  async request(query, variables = {}) {
    const id = await this.#idOf(query);
    if (id) {
      const body = await this.#post({ documentId: id, variables });
      if (body.errors?.[0]?.extensions?.code !== "PERSISTED_QUERY_NOT_FOUND") {
        return this.#data(body);
      }
      this.asText.add(query);
    }
    return this.#data(await this.#post({ query, variables }));
  }

  // Hashing needs a secure context (https or localhost); elsewhere documents go as text.
  #idOf(query) {
    if (!this.trusted || this.asText.has(query) || !globalThis.crypto?.subtle) return null;
    if (!this.ids.has(query)) this.ids.set(query, documentId(query));
    return this.ids.get(query);
  }

  async #post(payload) {
    const headers = { "content-type": "application/json" };
    const token = this.getToken();
    if (token) headers.authorization = `Bearer ${token}`;
    let response;
    try {
      response = await fetch(this.endpoint, {
        method: "POST",
        headers,
        body: JSON.stringify(payload),
      });
    } catch {
      throw new ApiError(
        "The server cannot be reached. Check your connection and try again.",
        "NETWORK",
      );
    }
    this.trusted = /\bsha256\b/.test(response.headers.get(ANNOUNCEMENT) ?? "");
    try {
      return await response.json();
    } catch {
      throw new ApiError(`The server answered ${response.status} ${response.statusText}.`, "HTTP");
    }
  }

  #data(body) {
    if (body.errors?.length) {
      const error = apiError(body.errors[0]);
      if (error.code === "UNAUTHENTICATED") this.onUnauthenticated();
      throw error;
    }
    return body.data;
  }
}

// Mutation results are unions: a success type or a UserError ({ code, message }).
export function isUserError(result) {
  return result != null && typeof result.code === "string" && typeof result.message === "string";
}

export function unwrap(result) {
  if (isUserError(result)) throw new ApiError(result.message, result.code);
  return result;
}

const PROTOCOL = "graphql-transport-ws";
const PING_EVERY_MS = 25_000;

// One socket for all of a session's subscriptions. It connects on the first subscribe,
// re-subscribes everything after a reconnect, and closes when nothing is subscribed.
export class LiveClient {
  constructor({ url, getToken, onStatus = () => {} }) {
    this.url = url;
    this.getToken = getToken;
    this.onStatus = onStatus;
    this.socket = null;
    this.acknowledged = false;
    this.operations = new Map(); // id -> { payload, sink }
    this.nextId = 1;
    this.retries = 0;
    this.reconnectTimer = null;
    this.pingTimer = null;
    this.closedByUs = false;
    this.wasConnected = false;
  }

  // sink: { next(data), error(ApiError) }. Returns a function that ends the subscription.
  subscribe(query, variables, sink) {
    const id = String(this.nextId++);
    this.operations.set(id, { payload: { query, variables }, sink });
    this.#connect();
    if (this.acknowledged) this.#send({ id, type: "subscribe", payload: { query, variables } });
    return () => {
      if (!this.operations.delete(id)) return;
      if (this.acknowledged) this.#send({ id, type: "complete" });
      if (this.operations.size === 0) this.close();
    };
  }

  // Reconnect now instead of waiting out the back-off (the browser came back online).
  retryNow() {
    if (!this.reconnectTimer) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.#connect();
  }

  close() {
    this.closedByUs = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pingTimer);
    this.socket?.close(1000, "done");
    this.socket = null;
    this.acknowledged = false;
  }

  #connect() {
    if (this.socket || this.reconnectTimer) return;
    this.closedByUs = false;
    const socket = new WebSocket(this.url, PROTOCOL);
    this.socket = socket;
    socket.addEventListener("open", () => {
      const token = this.getToken();
      this.#send({
        type: "connection_init",
        payload: token ? { authorization: `Bearer ${token}` } : {},
      });
    });
    socket.addEventListener("message", (event) => this.#receive(event.data));
    socket.addEventListener("close", (event) => this.#closed(socket, event));
  }

  #receive(raw) {
    let message;
    try {
      message = JSON.parse(raw);
    } catch {
      return;
    }
    const operation = message.id ? this.operations.get(message.id) : null;
    switch (message.type) {
      case "connection_ack":
        this.acknowledged = true;
        this.retries = 0;
        this.onStatus("live");
        for (const [id, op] of this.operations) {
          this.#send({ id, type: "subscribe", payload: op.payload });
          // Events may have been missed while the socket was down.
          if (this.wasConnected) op.sink.resumed?.();
        }
        this.wasConnected = true;
        clearInterval(this.pingTimer);
        this.pingTimer = setInterval(() => this.#send({ type: "ping" }), PING_EVERY_MS);
        break;
      case "ping":
        this.#send({ type: "pong" });
        break;
      case "next":
        if (!operation) break;
        if (message.payload?.errors?.length) {
          operation.sink.error(apiError(message.payload.errors[0]));
        } else {
          operation.sink.next(message.payload.data);
        }
        break;
      case "error": {
        if (!operation) break;
        this.operations.delete(message.id);
        const [first] = Array.isArray(message.payload)
          ? message.payload
          : [{ message: "Subscription refused." }];
        operation.sink.error(apiError(first));
        break;
      }
      case "complete":
        if (operation) this.operations.delete(message.id);
        break;
    }
  }

  #closed(socket, event) {
    if (this.socket !== socket) return;
    this.socket = null;
    this.acknowledged = false;
    clearInterval(this.pingTimer);
    if (this.closedByUs) return;
    if (event.code === 4403 || event.code === 4401) {
      // The token was refused: retrying cannot help.
      const error = new ApiError("Live updates were refused: sign in again.", "UNAUTHENTICATED");
      for (const op of this.operations.values()) op.sink.error(error);
      this.operations.clear();
      this.onStatus("offline");
      return;
    }
    if (this.operations.size === 0) return;
    this.onStatus("reconnecting");
    const delay = Math.min(30_000, 1000 * 2 ** this.retries++);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.operations.size) this.#connect();
    }, delay);
  }

  #send(message) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }
}

export function liveUrl(path = "/graphql") {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}`;
}
