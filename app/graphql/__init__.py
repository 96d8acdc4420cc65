"""The GraphQL surface: thin resolvers over the services."""
