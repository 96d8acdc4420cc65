// GraphiQL on this server's /graphql, from the vendored builds only (no CDN). A plain
// script, not inline, so the page's content security policy can forbid inline code.
const endpoint = new URL("/graphql", window.location.href);
const fetcher = GraphiQL.createFetcher({
  url: endpoint.href,
  subscriptionUrl: endpoint.href.replace(/^http/, "ws"),
});
const root = ReactDOM.createRoot(document.getElementById("graphiql"));
root.render(React.createElement(GraphiQL, { fetcher, defaultEditorToolsVisibility: true }));
