// A real Apollo Client (pinned in package.json) through the invitation flow against a
// live server: node tests/js/apollo.mjs http://127.0.0.1:PORT
// Prints one JSON object of what each step saw; tests/test_apollo_client.py checks it.
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { getMainDefinition } from "@apollo/client/utilities";
import { createClient } from "graphql-ws";
import { readFileSync } from "node:fs";
import WebSocket from "ws";
import { makeCache } from "./apollo_cache.mjs";

const base = process.argv[2];
const possibleTypes = JSON.parse(readFileSync("possibleTypes.json", "utf-8"));
const sockets = [];

function client(token, cache = makeCache(possibleTypes)) {
  const http = new HttpLink({
    uri: `${base}/graphql`,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const socket = createClient({
    url: `${base.replace("http", "ws")}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: true,
  });
  sockets.push(socket);
  const isSubscription = ({ query }) => {
    const definition = getMainDefinition(query);
    return definition.kind === "OperationDefinition" && definition.operation === "subscription";
  };
  return new ApolloClient({
    cache,
    link: token ? ApolloLink.split(isSubscription, new GraphQLWsLink(socket), http) : http,
  });
}

const SIGN_UP = gql`
  mutation SignUp($email: String!, $name: String!) {
    signUp(email: $email, name: $name, password: "apollo-password") {
      ... on AuthPayload { token user { id } }
      ... on UserError { code message }
    }
  }
`;
const CREATE_DOMAIN = gql`
  mutation CreateDomain($name: String!) {
    createDomain(name: $name) { ... on Domain { id roles { id name } } }
  }
`;
const SEND = gql`
  mutation Send($domainId: ID!, $inviteeIds: [ID!]!, $roleId: ID!) {
    sendInvitations(domainId: $domainId, inviteeIds: $inviteeIds, roleId: $roleId) {
      ... on SendInvitationsPayload {
        results {
          __typename
          ... on Invitation { id status }
          ... on UserError { code message }
        }
      }
      ... on UserError { code message }
    }
  }
`;
const INVITATIONS = gql`
  query Invitations($domainId: ID!, $first: Int, $after: String) {
    invitations(domainId: $domainId, first: $first, after: $after) {
      nodes { id status invitee { name } }
      pageInfo { hasNextPage endCursor }
      totalCount
    }
  }
`;
const DELETE = gql`
  mutation Delete($invitationId: ID!) {
    deleteInvitation(invitationId: $invitationId) {
      __typename
      ... on DeletedInvitation { id }
      ... on UserError { code message }
    }
  }
`;
const RESPOND = gql`
  mutation Respond($invitationId: ID!) {
    respondToInvitation(invitationId: $invitationId, response: ACCEPT) {
      ... on Invitation { id status }
      ... on UserError { code message }
    }
  }
`;
const RECEIVED = gql`
  subscription Received { invitationReceived { id domain { name } invitedBy { name } } }
`;

const anonymous = client(null);
async function signUp(name) {
  const email = `${name.toLowerCase()}-${Date.now()}@example.com`;
  const { data } = await anonymous.mutate({ mutation: SIGN_UP, variables: { email, name } });
  return data.signUp;
}

function first(observable) {
  return new Promise((resolve, reject) => {
    const subscription = observable.subscribe({
      next(value) {
        subscription.unsubscribe();
        resolve(value);
      },
      error: reject,
    });
  });
}

async function subscribed(count) {
  for (let tries = 0; tries < 100; tries++) {
    const health = await (await fetch(`${base}/healthz`)).json();
    if (health.subscriptions === count) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the server never had ${count} open subscriptions`);
}

const [adminAccount, ann, bob, cid] = await Promise.all(
  ["Admin", "Ann", "Bob", "Cid"].map(signUp),
);
const admin = client(adminAccount.token);
const annClient = client(ann.token);

const { data: created } = await admin.mutate({
  mutation: CREATE_DOMAIN,
  variables: { name: "Apollo" },
});
const domainId = created.createDomain.id;
const roleId = created.createDomain.roles.find((role) => role.name === "member").id;

// Ann listens for her invitations before they are sent (the protocol has no
// acknowledgement of a subscribe: the server's /healthz counts open subscriptions).
const received = first(annClient.subscribe({ query: RECEIVED }));
await subscribed(1);

const invitees = [ann, bob, cid].map((account) => account.user.id);
const { data: sent } = await admin.mutate({
  mutation: SEND,
  variables: { domainId, inviteeIds: invitees, roleId },
});
const again = { mutation: SEND, variables: { domainId, inviteeIds: [ann.user.id], roleId } };
const { data: typed } = await admin.mutate(again);
const { data: untyped } = await client(adminAccount.token, new InMemoryCache()).mutate(again);

const variables = { domainId, first: 2 };
const { data: firstPage } = await admin.query({ query: INVITATIONS, variables });
const table = admin.watchQuery({ query: INVITATIONS, variables });
await table.fetchMore({ variables: { after: firstPage.invitations.pageInfo.endCursor } });
const merged = admin.readQuery({ query: INVITATIONS, variables });

const deletedId = sent.sendInvitations.results[2].id;
const { data: deleted } = await admin.mutate({
  mutation: DELETE,
  variables: { invitationId: deletedId },
  update(cache, { data }) {
    const result = data.deleteInvitation;
    if (result.__typename === "DeletedInvitation") {
      cache.evict({ id: cache.identify({ __typename: "Invitation", id: result.id }) });
      cache.gc();
    }
  },
});
const afterDelete = admin.readQuery({ query: INVITATIONS, variables });

const annInvitation = sent.sendInvitations.results[0].id;
const { data: accepted } = await annClient.mutate({
  mutation: RESPOND,
  variables: { invitationId: annInvitation },
});
const { data: live } = await received;

const ids = (page) => page.invitations.nodes.map((node) => node.id);
console.log(
  JSON.stringify({
    sent: sent.sendInvitations.results,
    alreadyInvited: typed.sendInvitations.results[0],
    withoutPossibleTypes: untyped.sendInvitations.results[0],
    firstPage: ids(firstPage),
    afterFetchMore: ids(merged),
    totalCount: merged.invitations.totalCount,
    deleted: deleted.deleteInvitation,
    afterDelete: ids(afterDelete),
    accepted: accepted.respondToInvitation,
    received: live.invitationReceived,
  }),
);
await Promise.all(sockets.map((socket) => socket.dispose()));
