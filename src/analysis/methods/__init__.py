"""Methods: functions of text and tables that return data — tags (``tag``, ``tagmodel``),
names and places (``entities``, ``namemodel``), pseudonyms and the page check (``privacy``),
template reuse (``reuse``), sentiment (``sentiment``, ``supervised``), themes (``themes``),
metrics (``validate``), the coded samples (``samples``) and the trust figures (``trust``).
"""
