"""Tools the project runs by hand, outside the installed package: the mock probe, the tiny-trained trainer."""
