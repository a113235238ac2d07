"""The progress map: every competency with its evidence, tasks, modules, ratings and gaps."""
