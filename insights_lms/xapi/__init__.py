"""xAPI: every participant event becomes a statement in an outbox, in the event's transaction.

``vocabulary`` names the verbs and activity types (published vocabularies only), ``statements``
builds statements with the ``tincan`` models, ``models`` holds the outbox table and ``listeners``
subscribes to the domain signals. The profile is documented in ``docs/xapi.md``.
"""
