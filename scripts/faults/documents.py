"""The GraphQL documents the fault runs send: each selects only what they count."""

from __future__ import annotations

CREATE_DOMAIN = """mutation CreateDomain($name: String!) { createDomain(name: $name) {
  __typename ... on Domain { id roles { id name } } ... on UserError { code } } }"""
SEND = """mutation Send($domainId: ID!, $inviteeIds: [ID!]!, $roleId: ID!) {
  sendInvitations(domainId: $domainId, inviteeIds: $inviteeIds, roleId: $roleId) {
    __typename
    ... on SendInvitationsPayload { results { __typename ... on Invitation { id }
      ... on UserError { code } } }
    ... on UserError { code } } }"""
RESPOND = """mutation Respond($id: ID!, $response: InvitationResponse!) {
  respondToInvitation(invitationId: $id, response: $response) {
    __typename ... on Invitation { id status } ... on UserError { code } } }"""
RESEND = """mutation Resend($id: ID!) { resendInvitation(invitationId: $id) {
  __typename ... on Invitation { id } ... on UserError { code } } }"""
DELETE = """mutation Delete($id: ID!) { deleteInvitation(invitationId: $id) {
  __typename ... on DeletedInvitation { id } ... on UserError { code } } }"""
PENDING = "{ pendingInvitations(first: 5) { edges { node { id } } } }"
INVITATIONS = """query Invitations($domainId: ID!) {
  invitations(domainId: $domainId, first: 10) { edges { node { id status } } } }"""
DOMAINS = "{ domains { id name } }"
EVENTS = """subscription Events($domainId: ID!) {
  invitationEvents(domainId: $domainId) { id kind invitationId } }"""
RECEIVED = "subscription { invitationReceived { id } }"
