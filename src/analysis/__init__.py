"""Toolkit for studying Chinese essays about left-behind children (留守儿童).

Pipeline stages, one module each: ``io`` (read/write), ``split`` (essays in a
dump), ``clean`` (audited repair rules), ``segment`` (paragraphs, sentences,
tokens), ``tag``/``entities``/``privacy``/``reuse`` (research tags),
``sentiment``, ``themes``, ``build`` (orchestration), ``report`` (notebooks
to HTML) and ``cli`` (``python -m analysis``).
"""

__version__ = "0.1.0"
