"""Compare two screenshots: bytes first; a pixel diff only to explain a difference."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from PIL import Image, ImageChops

# The red of the outline (and of the original manual's boxes).
HIGHLIGHT = (229, 34, 7)
# Outside the overlap of two images of different sizes.
PADDING = (255, 0, 255)


@dataclass(frozen=True)
class Difference:
    """How a new screenshot differs from the committed one."""

    changed_pixels: int
    total_pixels: int
    old_size: tuple[int, int]
    new_size: tuple[int, int]
    image: bytes  # PNG: the new screenshot faded, changed pixels in red

    @property
    def fraction(self) -> float:
        return self.changed_pixels / self.total_pixels if self.total_pixels else 0.0

    def describe(self) -> str:
        """Say the difference in Portuguese."""
        changed = f"{format_percent(self.fraction)} dos pixels diferem"
        if self.old_size != self.new_size:
            (ow, oh), (nw, nh) = self.old_size, self.new_size
            return f"o tamanho mudou de {ow}×{oh} para {nw}×{nh} pixels e {changed}"
        return changed


def format_percent(fraction: float) -> str:
    """Format a fraction as a Brazilian percentage: 0.0342 → “3,42 %”."""
    percent = fraction * 100
    if 0 < percent < 0.01:
        return "menos de 0,01 %"
    return f"{percent:.2f}".replace(".", ",") + " %"


def compare(old: bytes, new: bytes) -> Difference | None:
    """Return None when the images are the same, else what changed."""
    if old == new:
        return None
    with Image.open(BytesIO(old)) as old_image, Image.open(BytesIO(new)) as new_image:
        before = old_image.convert("RGB")
        after = new_image.convert("RGB")
    size = (max(before.width, after.width), max(before.height, after.height))
    before_padded = Image.new("RGB", size, PADDING)
    before_padded.paste(before)
    after_padded = Image.new("RGB", size, PADDING)
    after_padded.paste(after)

    # A pixel changed when any channel changed, however slightly.
    red, green, blue = ImageChops.difference(before_padded, after_padded).split()
    strongest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    mask = strongest.point(lambda value: 255 if value else 0)
    changed = mask.histogram()[255]
    if changed == 0:
        return None  # same pixels, different encoding

    picture = Image.blend(after_padded, Image.new("RGB", size, "white"), 0.7)
    picture.paste(Image.new("RGB", size, HIGHLIGHT), mask=mask)
    buffer = BytesIO()
    picture.save(buffer, format="PNG")
    return Difference(
        changed_pixels=changed,
        total_pixels=size[0] * size[1],
        old_size=before.size,
        new_size=after.size,
        image=buffer.getvalue(),
    )
