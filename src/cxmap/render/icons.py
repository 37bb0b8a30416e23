"""Small line icons, drawn on a 24x24 grid, for channels and for the map's markers.

They are plain SVG shapes (no fonts, no emoji, no external sprites), so they look the same in a browser,
in resvg's PNG and in print. Channel names are free text in a map; :func:`channel_icon` folds the usual
spellings onto one icon and falls back to a dot.
"""

from __future__ import annotations

from markupsafe import Markup, escape

# Outline icons: drawn with the caller's stroke, no fill.
_OUTLINE: dict[str, str] = {
    "web": '<circle cx="12" cy="12" r="9"/><path d="M3 12h18"/>'
    '<path d="M12 3c2.5 2.6 3.8 5.6 3.8 9s-1.3 6.4-3.8 9c-2.5-2.6-3.8-5.6-3.8-9S9.5 5.6 12 3z"/>',
    "email": '<rect x="3" y="5" width="18" height="14" rx="2"/><path d="M3.5 6.5l8.5 6 8.5-6"/>',
    "letter": '<rect x="3" y="5" width="18" height="14" rx="1"/><rect x="14.5" y="8" width="3.5" height="4"/>'
    '<path d="M6 13h6M6 16h8"/>',
    "phone": '<path d="M5 3.5h3.5l2 5-2.5 1.6a11 11 0 0 0 5.9 5.9l1.6-2.5 5 2V19a2 2 0 0 1-2 2'
    'A16.5 16.5 0 0 1 3 5.5a2 2 0 0 1 2-2z"/>',
    "video": '<rect x="2.5" y="6" width="13.5" height="12" rx="2"/><path d="M16 10.5l5.5-3v9l-5.5-3z"/>',
    "chat": '<path d="M4 4.5h16a1 1 0 0 1 1 1V16a1 1 0 0 1-1 1h-9.5L6 21v-4H4a1 1 0 0 1-1-1V5.5'
    'a1 1 0 0 1 1-1z"/>'
    '<path d="M8 11h.01M12 11h.01M16 11h.01"/>',
    "app": '<rect x="6.5" y="2.5" width="11" height="19" rx="2.2"/><path d="M10.5 18h3"/>',
    "store": '<path d="M3.5 10L5 4h14l1.5 6z"/><path d="M5 10v10h14V10"/><path d="M10 20v-5h4v5"/>',
    "social": '<circle cx="18" cy="5.5" r="2.8"/><circle cx="6" cy="12" r="2.8"/>'
    '<circle cx="18" cy="18.5" r="2.8"/>'
    '<path d="M8.5 13.4l7 3.7M15.5 6.9l-7 3.7"/>',
    "in-person": '<circle cx="12" cy="7.5" r="4"/><path d="M4.5 21a7.5 7.5 0 0 1 15 0"/>',
    "server": '<rect x="3" y="4" width="18" height="7" rx="1.5"/>'
    '<rect x="3" y="13" width="18" height="7" rx="1.5"/>'
    '<path d="M7 7.5h.01M7 16.5h.01"/>',
    "bulb": '<path d="M9 18h6M10 21h4"/><path d="M12 3a6 6 0 0 0-3.6 10.8c.7.6 1.1 1.3 1.1 2.2h5'
    'c0-.9.4-1.6 1.1-2.2A6 6 0 0 0 12 3z"/>',
    "alert": '<path d="M12 3.5l9.5 17h-19z"/><path d="M12 10v4.5M12 17.5h.01"/>',
    "smile": '<circle cx="12" cy="12" r="9"/><path d="M8 14c1 1.5 2.3 2.2 4 2.2s3-.7 4-2.2"/>'
    '<path d="M9 9.5h.01M15 9.5h.01"/>',
    "frown": '<circle cx="12" cy="12" r="9"/><path d="M8 17c1-1.5 2.3-2.2 4-2.2s3 .7 4 2.2"/>'
    '<path d="M9 9.5h.01M15 9.5h.01"/>',
    "tag": '<path d="M3 12.5V3.5h9l9 9-9 9z"/><circle cx="7.5" cy="8" r="1.5"/>',
}

# Solid glyphs: filled with the caller's colour.
_SOLID: dict[str, str] = {
    "dot": '<circle cx="12" cy="12" r="4.5"/>',
    "flame": '<path d="M12 1.5c1.2 3.3 5.8 5.8 5.8 11a5.8 5.8 0 0 1-11.6 0c0-2.6 1.1-4.4 2.6-5.7'
    '.3 1.8 1.2 3 2.5 3.5C10.8 7.3 11.4 4.3 12 1.5z"/>',
    "star": '<path d="M12 2l2.9 6.6 7.1.6-5.4 4.7 1.6 7L12 17.2 5.8 20.9l1.6-7L2 9.2l7.1-.6z"/>',
    "diamond": '<path d="M12 2.5l9.5 9.5-9.5 9.5L2.5 12z"/>',
}

CHANNELS = ("web", "email", "phone", "video", "chat", "app", "store", "letter", "social", "in-person")

_ALIASES: dict[str, str] = {
    "website": "web", "online": "web", "portal": "web", "internet": "web", "search": "web",
    "e-mail": "email", "mail-campaign": "email", "newsletter": "email",
    "call": "phone", "telephone": "phone", "tel": "phone", "voice": "phone", "call-centre": "phone",
    "call-center": "phone",
    "video-call": "video", "videocall": "video", "zoom": "video", "teams": "video", "meet": "video",
    "webinar": "video",
    "live-chat": "chat", "livechat": "chat", "messaging": "chat", "sms": "chat", "whatsapp": "chat",
    "text": "chat", "chatbot": "chat",
    "mobile": "app", "mobile-app": "app", "in-app": "app", "product": "app", "software": "app",
    "shop": "store", "retail": "store", "branch": "store", "showroom": "store", "office": "store",
    "mail": "letter", "post": "letter", "postal": "letter", "print": "letter", "paper": "letter",
    "social-media": "social", "linkedin": "social", "twitter": "social", "facebook": "social",
    "instagram": "social", "community": "social", "forum": "social",
    "in-person": "in-person", "person": "in-person", "face-to-face": "in-person", "meeting": "in-person",
    "event": "in-person", "visit": "in-person", "on-site": "in-person", "onsite": "in-person",
}  # fmt: skip


def channel_icon(channel: str | None) -> str:
    """The icon name for a channel as written in a map (``"E-mail"``, ``"live chat"``...), or ``"dot"``."""
    if not channel:
        return "dot"
    key = "-".join(channel.lower().replace("_", " ").replace("-", " ").split())
    if key in CHANNELS:
        return key
    return _ALIASES.get(key, "dot")


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def icon(name: str, x: float, y: float, size: float, colour: str, *, stroke: float = 2.0) -> Markup:
    """Icon ``name`` with its top-left corner at (x, y), ``size`` pixels square, drawn in ``colour``."""
    colour = str(escape(colour))
    where = f"translate({_fmt(x)} {_fmt(y)}) scale({_fmt(size / 24)})"
    if name in _OUTLINE:
        width = _fmt(stroke * 24 / size)
        return Markup(
            f'<g transform="{where}" fill="none" stroke="{colour}" stroke-width="{width}" '
            f'stroke-linecap="round" stroke-linejoin="round">{_OUTLINE[name]}</g>'
        )
    return Markup(f'<g transform="{where}" fill="{colour}">{_SOLID.get(name, _SOLID["dot"])}</g>')
