"""The JSON contract: the answers of the commands' ``--json``, built once for the command
line, the web service and the batch.

- :mod:`.contract`: how each value object of the domain is written (points, passes,
  overflights, launch windows, radio passes, failed stretches);
- :mod:`.satellites`: which satellite a question is about (from the element store or a
  file) and how old its elements are;
- :mod:`.passes`: ``zarya passes`` and ``zarya now``;
- :mod:`.missions`: ``zarya orbits``, ``launch-windows``, ``overflights`` and ``radio``;
- :mod:`.tracks`: ``zarya track`` as JSON, GeoJSON or CSV.
"""

__all__: list[str] = []
