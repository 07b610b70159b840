"""Speed: same results, faster — SnowNLP's score compiled (``snowfast``). Every fast path
has a test against the plain one. ``reuse_index``: the template-reuse search made
incremental (:class:`~analysis.fast.reuse_index.ReuseIndex`).
"""
