"""The operations: one class per primitive (forward, backward, JVP), grouped by kind."""
