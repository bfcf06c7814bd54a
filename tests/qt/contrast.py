"""WCAG contrast between two colours, for tests that check a theme stays readable."""

from PySide6.QtGui import QColor


def luminance(color: QColor) -> float:
    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    return (0.2126 * linear(color.redF()) + 0.7152 * linear(color.greenF())
            + 0.0722 * linear(color.blueF()))


def contrast(a: QColor, b: QColor) -> float:
    """1 (the same) to 21 (black on white); text wants 4.5, outlines of controls 3."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)
