"""Tensor Playground: the app. ``session`` is the Qt-free model, ``qt`` the window over it."""
