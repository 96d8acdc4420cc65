"""The bench's baselines, not part of the product: the floor (the same SQL without
GraphQL) and the peer (the same query served by Ariadne)."""
