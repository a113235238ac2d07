"""xAPI as a library the features use: every participant event becomes a statement in an
outbox, in the event's transaction; this package imports no feature.

``vocabulary`` names the verbs and activity types (published vocabularies only),
``statements`` the public building blocks (activities, context, agents, ``statement()``),
``options`` what statements take from the configuration, ``receivers`` what every feature's
receivers share, ``outbox`` and ``models`` the outbox table, ``forwarder`` and ``transport``
the delivery to the LRS. Each feature builds its own statements and connects its receivers in
``insights_lms/<feature>/xapi.py`` (``connect()``, called by the extension). The profile is
documented in ``docs/xapi.md``.
"""
