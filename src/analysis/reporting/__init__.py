"""Reporting: what notebooks load and show — the pseudonymised corpus (``corpus``), views
and overview tables, figures (``plots``, ``figures``), display (``publish``), the
embedded font (``webfont``), warm kernels (``kernels``) and the renderer (``report``).
"""
