"""Baolei (堡垒): party-building-led poverty alleviation and rural revitalisation."""

__version__ = "0.1.0"
