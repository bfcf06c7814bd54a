"""``engine.Size``: the shape of a tensor, a tuple that prints like ``torch.Size``."""


class Size(tuple):
    """A tuple of dimension lengths; ``repr`` gives ``engine.Size([4, 5])``."""

    __slots__ = ()

    def __repr__(self):
        return f"engine.Size([{', '.join(str(n) for n in self)}])"

    __str__ = __repr__

    def numel(self) -> int:
        count = 1
        for n in self:
            count *= n
        return count

    def __getitem__(self, key):
        item = tuple.__getitem__(self, key)
        return Size(item) if isinstance(key, slice) else item
