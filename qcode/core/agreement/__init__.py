"""Inter-coder agreement: how far coders agree, and where they differ.

    coefficients.py   percent agreement, Cohen, Scott, Fleiss, Brennan-Prediger, Gwet,
                      Krippendorff's alpha for given units (pure functions)
    weighted.py       weighted kappa, Conger's kappa, Gwet's AC2, alpha with a custom
                      distance (pure)
    unitized.py       Krippendorff's unitized alpha for segments coders chose (pure)
    unitizing_family.py  cu-alpha and |u-alpha for a theme of exclusive codes (pure)
    domains.py        those per theme for the `qcode agree --statistic` figures
    units.py          from coded spans to given units: words, sentences, turns (pure)
    segments.py       the MAXQDA-style segment view, a sweep over sorted boundaries (pure)
    bootstrap.py      the interval of unitized alpha from resampled transcripts (pure)
    report.py         the `qcode agree` report: which codings are compared, every figure
    render.py         that report as a table, Markdown, CSV, JSON or an HTML page
    disagreements.py  the places where two coders differ, and resolving them

Import from the module that holds a name; this package re-exports nothing."""
