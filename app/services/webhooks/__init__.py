"""Webhooks: a domain's endpoints receive its invitation and member events, signed per
Standard Webhooks, at least once (SPEC §5.5).

    endpoints     manage webhooks and read their deliveries (WEBHOOK_MANAGE)
    deliveries    enqueue(events): the deliveries of events, in the events' transaction
    payloads      the JSON body of each event type
    dispatcher    claims due deliveries, attempts, retries, records, disables
    sending       one signed attempt over HTTP
    destinations  URL and address rules (SSRF)
    secrets       whsec_ signing secrets derived from a stored seed and SECRET_KEY
    reads         the compiled SQL and read rows
"""
