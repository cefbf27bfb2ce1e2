from tests.rates_bureau import bureau  # noqa: F401  (the hand-built bureau of the rates tests)
