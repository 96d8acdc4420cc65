"""Domain invitations and membership GraphQL server."""
