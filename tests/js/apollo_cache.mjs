import { InMemoryCache } from "@apollo/client";
import { relayStylePagination } from "@apollo/client/utilities";

// relayStylePagination merges `edges`; this keeps `nodes` (the rows alone) merged too.
function connection(keyArgs) {
  const policy = relayStylePagination(keyArgs);
  return {
    ...policy,
    merge(existing, incoming, options) {
      const edges = incoming.edges ?? incoming.nodes?.map((node) => ({ node }));
      return policy.merge(existing, { ...incoming, edges }, options);
    },
    read(existing, options) {
      const page = policy.read(existing, options);
      return page && { ...page, nodes: page.edges.map((edge) => edge.node) };
    },
  };
}

export function makeCache(possibleTypes) {
  return new InMemoryCache({
    possibleTypes, // possibleTypes.json: without it, `... on UserError` matches nothing
    typePolicies: {
      Query: {
        fields: {
          pendingInvitations: connection(false),
          myInvitations: connection(["status"]),
          invitations: connection(["domainId", "status", "invitedBy", "inviteeId"]),
          auditLog: connection(["domainId"]),
          members: connection(["domainId"]),
        },
      },
    },
  });
}
