"""Pipeline: runs the methods over a corpus once per change — the stages and what each
reads (``stages``), the build with its cache, workers and manifest (``build``), the
challenge sets' scoring (``challenge``).
"""
