"""The domain: what people ask of a satellite, built on the engine.

- :mod:`.pass_table` and :mod:`.passes`: passes above a threshold, for one or many observers;
- :mod:`.visibility` and :mod:`.light`: the naked-eye visible stretch, the Earth's shadow,
  twilight, magnitude;
- :mod:`.geodesy`: points and distances on the ground, footprints;
- :mod:`.tracks`: ground tracks, cut at the antimeridian;
- :mod:`.nodes`: ascending and descending node crossings;
- :mod:`.revolutions`: orbit counts and revolution numbers;
- :mod:`.overflights`: the ground track's closest approaches to a place;
- :mod:`.launch`: launch windows into the orbital plane;
- :mod:`.radio`: radio passes and Doppler shifts;
- :mod:`.places` and :mod:`.geography`: the gazetteer, time zones, the country or sea beneath.
"""

__all__: list[str] = []
