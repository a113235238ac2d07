"""The providers of the portfolio's sections whose data belongs to other features (listed in
:data:`insights_lms.portfolio.sections.PROVIDERS`): each reads its feature's rows and returns
the entries of :mod:`insights_lms.portfolio.entries`, with only what may be printed."""
